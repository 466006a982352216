// Issue 13: one RunBatch on check.run whose check id is not a UUID stopped a healthworker from
// recording any result (the COPY failed and the whole chunk was retried forever). Published here
// on a real stack (lokahid, healthworker, Postgres, nats-server, an HTTP target), it must be
// refused and counted while the healthy checks keep being recorded.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <pqxx/pqxx>
#include <thread>

#include "internal.pb.h"
#include "lib/nats/nats_client.h"
#include "lib/nats/subjects.h"
#include "lokahi.grpc.pb.h"
#include "tests/support/daemon.h"
#include "tests/support/ports.h"
#include "tests/support/shared_services.h"

namespace lokahi {
namespace {

namespace pb = github::xe::lokahi;
using namespace std::chrono_literals;

using testing::HttpGet;

TEST(PoisonBatchTest, ABatchWithAnIdThatIsNotAUuidIsRefusedAndHealthyChecksKeepBeingRecorded) {
  nats::Library library;
  const std::string database_url = testing::Services().postgres.NewDatabase();
  const std::string nats_url = testing::Services().nats.Url();

  httplib::Server target;
  target.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok", "text/plain");
  });
  const int target_port = testing::FreePort();
  std::thread target_thread([&] { target.listen("127.0.0.1", target_port); });
  ASSERT_TRUE(testing::WaitFor([&] { return target.is_running(); }, 5s));
  const std::string target_url = "http://127.0.0.1:" + std::to_string(target_port) + "/";

  const int api_port = testing::FreePort();
  auto lokahid = testing::StartDaemon("lokahid/lokahid",
                                      {{"DATABASE_URL", database_url},
                                       {"NATS_URL", nats_url},
                                       {"PORT", std::to_string(api_port)},
                                       {"LOKAHI_MIN_EVERY", "1"}},
                                      api_port);
  const int metrics_port = testing::FreePort();
  auto worker = testing::StartDaemon("healthworker/healthworker",
                                     {{"DATABASE_URL", database_url},
                                      {"NATS_URL", nats_url},
                                      {"LOKAHI_BATCH_MAX_DELAY_MS", "50"},
                                      {"LOKAHI_METRICS_PORT", std::to_string(metrics_port)}},
                                     metrics_port);

  auto stub = pb::Checks::NewStub(grpc::CreateChannel("127.0.0.1:" + std::to_string(api_port),
                                                      grpc::InsecureChannelCredentials()));
  for (int i = 0; i < 3; ++i) {
    pb::CreateOpts opts;
    opts.set_url(target_url + "?check=" + std::to_string(i));
    opts.set_webhook_url("http://127.0.0.1:9/hook");
    opts.set_every(1);
    opts.set_timeout_ms(2000);
    pb::Check check;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 10s);
    const auto status = stub->Create(&context, opts, &check);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  pqxx::connection db(database_url);
  // Results of each healthy check probed after `since` (Postgres's clock).
  const auto results_per_check_since = [&](const std::string& since) {
    pqxx::read_transaction txn(db);
    return txn
        .exec_params1(
            "SELECT coalesce(min(n), 0) FROM (SELECT c.id, count(r.check_id) AS n FROM checks c"
            " LEFT JOIN results r ON r.check_id = c.id AND r.probed_at > $1::timestamptz"
            " GROUP BY c.id) per_check",
            since)[0]
        .as<long long>();
  };
  const std::string start = pqxx::read_transaction(db).exec1("SELECT now()::text")[0].c_str();
  ASSERT_TRUE(testing::WaitFor([&] { return results_per_check_since(start) >= 1; }, 20s))
      << "the stack records results before the poison\n"
      << worker->Log();

  // The batch from the issue, published as anyone who can reach NATS could.
  nats::Connection publisher({nats_url, "poison-test", false});
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  internal::RunBatch poison;
  auto* spec = poison.add_checks();
  spec->set_id("not-a-uuid");
  spec->set_url(target_url);
  spec->set_timeout_ms(2000);
  spec->set_every(10);
  spec->set_due_unix_ms(now_ms);
  for (int i = 0; i < 5; ++i)
    publisher.Publish(nats::Subjects::kCheckRun, poison.SerializeAsString());
  publisher.Flush(2s);
  const std::string after_poison =
      pqxx::read_transaction(db).exec1("SELECT (now() + interval '1 second')::text")[0].c_str();

  EXPECT_TRUE(testing::WaitFor([&] { return results_per_check_since(after_poison) >= 3; }, 15s))
      << "healthy checks keep being recorded after the poison batch\n"
      << worker->Log();
  std::string metrics;
  ASSERT_EQ(HttpGet(metrics_port, "/metrics", &metrics), 200);
  EXPECT_NE(metrics.find("lokahi_nats_refused_total{what=\"spec\"} 5"), std::string::npos)
      << metrics;
  EXPECT_EQ(HttpGet(metrics_port, "/healthz"), 200);
  const std::string log = worker->Log();
  EXPECT_NE(log.find("event=refused_nats_message"), std::string::npos) << log;
  EXPECT_EQ(log.find("level=error"), std::string::npos) << log;

  target.stop();
  target_thread.join();
}

}  // namespace
}  // namespace lokahi
