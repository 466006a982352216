// lokahictl as a user runs it, against a real lokahid.

#include <gtest/gtest.h>

#include <regex>

#include "tests/support/daemon.h"
#include "tests/support/ports.h"
#include "tests/support/shared_services.h"

namespace lokahi {
namespace {

using testing::BinaryPath;
using testing::RunCommand;
using testing::Services;

class LokahictlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    port_ = testing::FreePort();
    database_url_ = Services().postgres.NewDatabase();
    lokahid_ = testing::StartDaemon("lokahid/lokahid",
                                    {{"DATABASE_URL", database_url_},
                                     {"NATS_URL", Services().nats.Url()},
                                     {"USERPASS", "AzureDiamond:hunter2"},
                                     {"PORT", std::to_string(port_)}},
                                    port_);
    server_ = "http://AzureDiamond:hunter2@127.0.0.1:" + std::to_string(port_);
  }

  testing::CommandResult Ctl(std::vector<std::string> args,
                             std::map<std::string, std::string> env = {}) {
    std::vector<std::string> argv = {BinaryPath("lokahictl/lokahictl")};
    argv.insert(argv.end(), args.begin(), args.end());
    env.emplace("HOME", "/nonexistent");
    return RunCommand(argv, env, std::chrono::seconds(60));
  }

  static std::string IdOf(const std::string& json) {
    std::smatch m;
    static const std::regex kId("\"id\": \"([0-9a-f-]{36})\"");
    return std::regex_search(json, m, kId) ? m[1].str() : "";
  }

  int port_ = 0;
  std::string database_url_;
  std::string server_;
  std::unique_ptr<testing::ChildProcess> lokahid_;
};

TEST_F(LokahictlTest, CreateListGetPutDeletePrintJson) {
  auto created = Ctl({"--server", server_, "create", "--url", "http://127.0.0.1:9/",
                      "--webhook-url", "http://127.0.0.1:9/hook", "--every", "60",
                      "--playbook-url", "https://wiki.example.com/duke"});
  ASSERT_EQ(created.exit_code, 0) << created.output;
  const auto id = IdOf(created.output);
  ASSERT_FALSE(id.empty()) << created.output;
  EXPECT_NE(created.output.find("\"webhook_url\": \"http://127.0.0.1:9/hook\""), std::string::npos);
  EXPECT_NE(created.output.find("\"state\": \"INIT\""), std::string::npos);

  const auto listed = Ctl({"--server", server_, "list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_NE(listed.output.find(id), std::string::npos);
  EXPECT_NE(listed.output.find("\"total\": \"1\""), std::string::npos) << listed.output;

  const auto got = Ctl({"--server", server_, "get", id});
  ASSERT_EQ(got.exit_code, 0) << got.output;
  EXPECT_EQ(IdOf(got.output), id);

  const auto put = Ctl({"--server", server_, "put", id, "--every", "120"});
  ASSERT_EQ(put.exit_code, 0) << put.output;
  EXPECT_NE(put.output.find("\"every\": 120"), std::string::npos) << put.output;

  const auto deleted = Ctl({"--server", server_, "delete", id});
  ASSERT_EQ(deleted.exit_code, 0) << deleted.output;
  EXPECT_NE(deleted.output.find("\"every\": 120"), std::string::npos);

  const auto gone = Ctl({"--server", server_, "get", id});
  EXPECT_NE(gone.exit_code, 0);
  EXPECT_NE(gone.output.find("NOT_FOUND: no check with id " + id), std::string::npos)
      << gone.output;
}

TEST_F(LokahictlTest, PutWithEmptyValuesClearsOptions) {
  const auto created =
      Ctl({"--server", server_, "create", "--url", "http://127.0.0.1:9/", "--webhook-url",
           "http://127.0.0.1:9/hook", "--playbook-url", "https://wiki.example.com/duke",
           "--expected-status", "204", "--webhook-format", "json", "--webhook-secret",
           "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"});
  ASSERT_EQ(created.exit_code, 0) << created.output;
  const auto id = IdOf(created.output);
  const auto put = Ctl({"--server", server_, "put", id, "--playbook-url", "", "--expected-status",
                        "0", "--webhook-format", "protobuf", "--webhook-secret", ""});
  ASSERT_EQ(put.exit_code, 0) << put.output;
  for (const char* cleared :
       {"\"playbook_url\": \"\"", "\"expected_status\": 0",
        "\"webhook_format\": \"WEBHOOK_FORMAT_PROTOBUF\"", "\"has_webhook_secret\": false",
        "\"url\": \"http://127.0.0.1:9/\""}) {
    EXPECT_NE(put.output.find(cleared), std::string::npos) << cleared << "\n" << put.output;
  }
  EXPECT_EQ(put.output.find("update_mask"), std::string::npos) << "responses carry no mask";
}

TEST_F(LokahictlTest, ServerErrorsGoToStderrWithNonZeroExit) {
  const auto bad = Ctl({"--server", server_, "create", "--url", "http://h/", "--webhook-url",
                        "http://h/", "--every", "5"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.output.find("INVALID_ARGUMENT: every must be between 10 and 86400 seconds, got 5"),
            std::string::npos)
      << bad.output;
  const auto unauth = Ctl({"--server", "http://127.0.0.1:" + std::to_string(port_), "list"});
  EXPECT_EQ(unauth.exit_code, 1);
  EXPECT_NE(unauth.output.find("UNAUTHENTICATED"), std::string::npos) << unauth.output;
  const auto usage = Ctl({"get"});
  EXPECT_EQ(usage.exit_code, 2);
}

TEST_F(LokahictlTest, ServerFromEnvironment) {
  const auto listed = Ctl({"list"}, {{"LOKAHI_SERVER", server_}});
  EXPECT_EQ(listed.exit_code, 0) << listed.output;
}

TEST_F(LokahictlTest, CreateLoadReportsCountAndRate) {
  const auto load = Ctl({"--server", server_, "create_load", "--count", "300"});
  ASSERT_EQ(load.exit_code, 0) << load.output;
  EXPECT_NE(load.output.find("\"created\": 300"), std::string::npos) << load.output;
  EXPECT_NE(load.output.find("\"per_second\""), std::string::npos);
  const auto listed = Ctl({"--server", server_, "list", "--count", "1"});
  EXPECT_NE(listed.output.find("\"total\": \"300\""), std::string::npos) << listed.output;

  // The next page by its token: another check than the first page's.
  const std::string key = "\"next_page_token\": \"";
  const size_t at = listed.output.find(key);
  ASSERT_NE(at, std::string::npos) << listed.output;
  const std::string token =
      listed.output.substr(at + key.size(), listed.output.find('"', at + key.size()) - at - key.size());
  const auto next = Ctl({"--server", server_, "list", "--count", "1", "--page-token", token});
  ASSERT_EQ(next.exit_code, 0) << next.output;
  const auto first_id = listed.output.substr(listed.output.find("\"id\""), 50);
  EXPECT_EQ(next.output.find(first_id), std::string::npos) << next.output;
  EXPECT_NE(next.output.find("\"id\""), std::string::npos) << next.output;

  const auto bad = Ctl({"--server", server_, "list", "--page-token", "nonsense"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.output.find("INVALID_ARGUMENT: page_token is not one this server issued"),
            std::string::npos)
      << bad.output;
}

TEST_F(LokahictlTest, StatusRunRunstatsAndDeliveriesShowWhatThePipelineDid) {
  // The whole pipeline behind lokahid: a worker of each kind, duke-of-york up for the day as the
  // target and sample_hook receiving the webhook.
  const std::map<std::string, std::string> backends = {{"DATABASE_URL", database_url_},
                                                       {"NATS_URL", Services().nats.Url()},
                                                       {"LOKAHI_BATCH_MAX_DELAY_MS", "50"}};
  auto healthworker = testing::StartDaemon("healthworker/healthworker", backends);
  auto webhookworker = testing::StartDaemon("webhookworker/webhookworker", backends);
  const int duke_port = testing::FreePort(), hook_port = testing::FreePort();
  auto duke = testing::StartDaemon(
      "receivers/duke-of-york", {{"PORT", std::to_string(duke_port)}, {"DUKE_PERIOD", "86400"}},
      duke_port);
  auto hook = testing::StartDaemon("receivers/sample_hook", {{"PORT", std::to_string(hook_port)}},
                                   hook_port);
  const auto created = Ctl({"--server", server_, "create", "--url",
                            "http://127.0.0.1:" + std::to_string(duke_port) + "/", "--webhook-url",
                            "http://127.0.0.1:" + std::to_string(hook_port) + "/hook", "--every",
                            "10"});
  ASSERT_EQ(created.exit_code, 0) << created.output;
  const auto id = IdOf(created.output);

  // A new check is probed at once; its first state (INIT -> UP) is delivered.
  testing::CommandResult deliveries;
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        deliveries = Ctl({"--server", server_, "deliveries", id});
        return deliveries.output.find("\"outcome\": \"delivered\"") != std::string::npos;
      },
      std::chrono::seconds(30)))
      << deliveries.output << webhookworker->Log();
  EXPECT_NE(deliveries.output.find("\"webhook_id\": \"tr_"), std::string::npos);
  EXPECT_NE(deliveries.output.find("\"from_state\": \"INIT\""), std::string::npos);
  EXPECT_NE(deliveries.output.find("\"to_state\": \"UP\""), std::string::npos);
  EXPECT_NE(deliveries.output.find("\"last_status_code\": 200"), std::string::npos);
  EXPECT_NE(hook->Log().find("event=webhook check_id=" + id + " state=UP"), std::string::npos)
      << hook->Log();

  const auto status = Ctl({"--server", server_, "status", id});
  ASSERT_EQ(status.exit_code, 0) << status.output;
  EXPECT_NE(status.output.find("\"resp_status_code\": 200"), std::string::npos) << status.output;
  EXPECT_NE(status.output.find("\"uptime_24h\": 1"), std::string::npos) << status.output;
  EXPECT_NE(status.output.find("\"uptime_probes_24h\": \""), std::string::npos) << status.output;
  EXPECT_NE(status.output.find("\"p50_nanoseconds\""), std::string::npos) << status.output;

  const auto ran = Ctl({"--server", server_, "run", id});
  ASSERT_EQ(ran.exit_code, 0) << ran.output;
  EXPECT_NE(ran.output.find("\"resp_status_code\": 200"), std::string::npos) << ran.output;

  // The on-demand run is recorded too: at least two probes in the last hour.
  testing::CommandResult stats;
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        stats = Ctl({"--server", server_, "runstats"});
        static const std::regex kProbes("\"probes_last_hour\": \"(\\d+)\"");
        std::smatch m;
        return std::regex_search(stats.output, m, kProbes) && std::stoll(m[1].str()) >= 2;
      },
      std::chrono::seconds(15)))
      << stats.output;
  EXPECT_NE(stats.output.find("\"checks\": \"1\""), std::string::npos) << stats.output;
  EXPECT_NE(stats.output.find("\"p50_nanoseconds\""), std::string::npos) << stats.output;
}

}  // namespace
}  // namespace lokahi
