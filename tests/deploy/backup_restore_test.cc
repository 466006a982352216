// deploy/README.md's backup and restore, as an operator would run them: pg_dump of a lokahi
// database that has checks, probe results and transitions; pg_restore into a fresh Postgres
// (another data directory, another port); a lokahid started on the restored database serves the
// same checks, states and history.

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <csignal>
#include <memory>

#include "tests/support/daemon.h"
#include "tests/support/ports.h"
#include "tests/support/postgres_server.h"
#include "tests/support/shared_services.h"

namespace lokahi {
namespace {

using namespace std::chrono_literals;
namespace pb = google::protobuf;

constexpr const char* kUserPass = "operator:correct-horse";

struct Lokahid {
  int port = 0;
  std::unique_ptr<testing::ChildProcess> process;
};

Lokahid StartLokahid(const std::string& database_url) {
  Lokahid lokahid;
  lokahid.port = testing::FreePortBelowEphemeral();
  lokahid.process = testing::StartDaemon("lokahid/lokahid",
                                         {{"DATABASE_URL", database_url},
                                          {"NATS_URL", testing::Services().nats.Url()},
                                          {"USERPASS", kUserPass},
                                          {"LOKAHI_MIN_EVERY", "1"},
                                          {"PORT", std::to_string(lokahid.port)}},
                                         lokahid.port);
  return lokahid;
}

// lokahictl's JSON answer to `args` against `lokahid`.
pb::Struct Lokahictl(const Lokahid& lokahid, std::vector<std::string> args) {
  std::vector<std::string> argv = {
      testing::BinaryPath("lokahictl/lokahictl"), "--server",
      "http://" + std::string(kUserPass) + "@127.0.0.1:" + std::to_string(lokahid.port), "-o",
      "json"};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto result = testing::RunCommand(argv, {}, 30s);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  pb::Struct answer;
  EXPECT_TRUE(pb::util::JsonStringToMessage(result.output, &answer).ok()) << result.output;
  return answer;
}

std::string Json(const pb::Struct& value) {
  std::string text;
  pb::util::JsonPrintOptions options;
  options.add_whitespace = true;
  EXPECT_TRUE(pb::util::MessageToJsonString(value, &text, options).ok());
  return text;
}

void RunToSuccess(const std::vector<std::string>& argv) {
  const auto result = testing::RunCommand(argv, {}, 60s);
  ASSERT_EQ(result.exit_code, 0) << result.output;
}

TEST(BackupRestoreTest, ARestoredDumpIsServedWithItsChecksStatesAndHistory) {
  // The original: a lokahid and a healthworker probing a target that answers 200, until every
  // check is UP and has results.
  testing::PostgresServer original;
  const std::string original_url = original.NewDatabase();
  auto lokahid = StartLokahid(original_url);
  const int target_port = testing::FreePortBelowEphemeral();
  auto target = testing::StartDaemon(
      "receivers/duke-of-york", {{"PORT", std::to_string(target_port)}, {"DUKE_PERIOD", "86400"}},
      target_port);
  auto worker = testing::StartDaemon("healthworker/healthworker",
                                     {{"DATABASE_URL", original_url},
                                      {"NATS_URL", testing::Services().nats.Url()},
                                      {"LOKAHI_EGRESS_DENY", "169.254.0.0/16"}});
  std::vector<std::string> ids;
  for (const std::string path : {"/a", "/b", "/c"}) {
    const auto created = Lokahictl(
        lokahid, {"create", "--url", "http://127.0.0.1:" + std::to_string(target_port) + path,
                  "--webhook-url", "http://127.0.0.1:9/hook", "--every", "1"});
    ids.push_back(created.fields().at("id").string_value());
  }
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        for (const auto& id : ids) {
          if (Lokahictl(lokahid, {"get", id}).fields().at("state").string_value() != "UP") {
            return false;
          }
        }
        return true;
      },
      30s))
      << lokahid.process->Log() << worker->Log();
  worker->Stop(SIGTERM, 30s);  // nothing writes while the dump is taken
  const pb::Struct list_before = Lokahictl(lokahid, {"list", "--count", "100"});
  const pb::Struct status_before = Lokahictl(lokahid, {"status", ids[0]});

  // Backup, as deploy/README.md says.
  const std::string dump = testing::MakeTempDir("lokahi-backup") + "/lokahi.dump";
  RunToSuccess({testing::PostgresBinDir() + "/pg_dump", "--format=custom", "--file=" + dump,
                "--dbname=" + original_url});
  lokahid.process->Stop(SIGTERM, 30s);
  original.Stop();

  // Restore into a fresh Postgres: another data directory, another port, an empty database.
  testing::PostgresServer fresh;
  const std::string restored_url = fresh.NewDatabase();
  RunToSuccess({testing::PostgresBinDir() + "/pg_restore", "--no-owner", "--exit-on-error",
                "--dbname=" + restored_url, dump});
  auto restored = StartLokahid(restored_url);

  const pb::Struct list_after = Lokahictl(restored, {"list", "--count", "100"});
  EXPECT_TRUE(pb::util::MessageDifferencer::Equals(list_after, list_before))
      << "before:\n"
      << Json(list_before) << "\nafter:\n"
      << Json(list_after);
  EXPECT_EQ(list_after.fields().at("total").string_value(), "3");
  const pb::Struct status_after = Lokahictl(restored, {"status", ids[0]});
  // The history came along: the same last probe, and results behind the uptime figures.
  for (const std::string field : {"check", "last_response_time_nanoseconds", "resp_status_code"}) {
    ASSERT_TRUE(status_before.fields().count(field)) << field << " in " << Json(status_before);
    ASSERT_TRUE(status_after.fields().count(field)) << field << " in " << Json(status_after);
    EXPECT_TRUE(pb::util::MessageDifferencer::Equals(status_after.fields().at(field),
                                                     status_before.fields().at(field)))
        << field << " before:\n"
        << Json(status_before) << "\nafter:\n"
        << Json(status_after);
  }
  // The restored lokahid keeps serving writes: a new check lands next to the old ones.
  const auto created = Lokahictl(restored, {"create", "--url", "http://127.0.0.1:9/new",
                                            "--webhook-url", "http://127.0.0.1:9/hook"});
  EXPECT_FALSE(created.fields().at("id").string_value().empty());
  EXPECT_EQ(Lokahictl(restored, {"list", "--count", "100"}).fields().at("total").string_value(),
            "4");
}

}  // namespace
}  // namespace lokahi
