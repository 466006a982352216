// Every daemon's /metrics and /healthz, scraped over HTTP as Prometheus and an orchestrator would.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <functional>
#include <memory>

#include "lokahi.grpc.pb.h"
#include "tests/support/daemon.h"
#include "tests/support/nats_server.h"
#include "tests/support/ports.h"
#include "tests/support/postgres_server.h"
#include "tests/support/shared_services.h"

namespace lokahi {
namespace {

using namespace std::chrono_literals;

struct DaemonUnderTest {
  std::string binary;
  std::vector<std::string> series;  // must appear in /metrics
};

const std::vector<DaemonUnderTest> kDaemons = {
    {"lokahid/lokahid",
     {"lokahi_scheduler_active", "lokahi_dispatched_slots_total",
      "lokahi_dispatch_lag_seconds_bucket", "lokahi_db_pool_in_use",
      "lokahi_nats_reconnects_total"}},
    {"healthworker/healthworker",
     {"lokahi_probes_total{outcome=\"up\"}", "lokahi_probes_total{outcome=\"error\"}",
      "lokahi_probe_latency_seconds_bucket", "lokahi_result_batch_rows_bucket",
      "lokahi_schedule_lag_seconds_bucket", "lokahi_db_pool_in_use",
      "lokahi_nats_reconnects_total"}},
    {"webhookworker/webhookworker",
     {"lokahi_webhook_deliveries_total", "lokahi_db_pool_in_use", "lokahi_nats_reconnects_total"}},
};

void PrintTo(const DaemonUnderTest& daemon, std::ostream* out) { *out << daemon.binary; }

class OpsEndpointsTest : public ::testing::TestWithParam<DaemonUnderTest> {};

using testing::HttpGet;

struct RunningDaemon {
  int metrics_port = 0;
  std::unique_ptr<testing::ChildProcess> process;
};

RunningDaemon Start(const std::string& binary, const std::string& database_url,
                    const std::string& nats_url) {
  RunningDaemon daemon;
  daemon.metrics_port = testing::FreePort();
  daemon.process =
      testing::StartDaemon(binary,
                           {{"DATABASE_URL", database_url},
                            {"NATS_URL", nats_url},
                            {"PORT", std::to_string(testing::FreePort())},
                            {"LOKAHI_METRICS_PORT", std::to_string(daemon.metrics_port)}},
                           daemon.metrics_port);
  return daemon;
}

// /healthz is 200, turns 503 naming `dependency` once stop() has run, and 200 again after
// start(), with the daemon still the same process.
void ExpectHealthzFollows(RunningDaemon& daemon, const std::string& dependency,
                          const std::function<void()>& stop, const std::function<void()>& start) {
  EXPECT_TRUE(
      testing::WaitFor([&] { return HttpGet(daemon.metrics_port, "/healthz") == 200; }, 10s));
  stop();
  std::string reason;
  EXPECT_TRUE(testing::WaitFor(
      [&] { return HttpGet(daemon.metrics_port, "/healthz", &reason) == 503; }, 10s))
      << "unready without " << dependency;
  EXPECT_NE(reason.find(dependency), std::string::npos) << reason;
  start();
  EXPECT_TRUE(
      testing::WaitFor([&] { return HttpGet(daemon.metrics_port, "/healthz") == 200; }, 15s))
      << "ready again when " << dependency << " returns, without a restart";
  EXPECT_TRUE(daemon.process->Running()) << daemon.process->Log();
}

TEST_P(OpsEndpointsTest, MetricsHaveTheNamedSeriesAndHealthzFollowsNats) {
  testing::NatsServer nats;  // private: this test stops it
  auto daemon = Start(GetParam().binary, testing::Services().postgres.NewDatabase(), nats.Url());

  std::string metrics;
  ASSERT_EQ(HttpGet(daemon.metrics_port, "/metrics", &metrics), 200);
  for (const auto& series : GetParam().series) {
    EXPECT_NE(metrics.find(series), std::string::npos) << series << " missing from\n" << metrics;
  }
  EXPECT_NE(metrics.find("# TYPE "), std::string::npos);

  ExpectHealthzFollows(
      daemon, "nats", [&] { nats.Stop(); }, [&] { nats.Start(); });
}

TEST_P(OpsEndpointsTest, HealthzFollowsPostgresAndTheDaemonRecoversWithoutARestart) {
  testing::PostgresServer postgres;  // private: this test stops it
  auto daemon = Start(GetParam().binary, postgres.NewDatabase(), testing::Services().nats.Url());
  ExpectHealthzFollows(
      daemon, "postgres", [&] { postgres.Stop(); }, [&] { postgres.Start(); });
}

// Issue 14: a daemon started while NATS is unreachable serves /healthz (503, naming NATS) and
// connects in the background, instead of hanging before it serves anything.
TEST_P(OpsEndpointsTest, StartsWhileNatsIsDownAndBecomesReadyWhenNatsStarts) {
  testing::NatsServer nats;
  nats.Stop();
  auto daemon = Start(GetParam().binary, testing::Services().postgres.NewDatabase(), nats.Url());
  std::string reason;
  EXPECT_EQ(HttpGet(daemon.metrics_port, "/healthz", &reason), 503);
  EXPECT_NE(reason.find("nats"), std::string::npos) << reason;
  nats.Start();
  EXPECT_TRUE(
      testing::WaitFor([&] { return HttpGet(daemon.metrics_port, "/healthz") == 200; }, 15s))
      << "ready once NATS starts, without a restart\n"
      << daemon.process->Log();
}

// Issue 14: NATS_URL listing a cluster's servers connects, and losing the server in use moves the
// daemon to another member.
TEST_P(OpsEndpointsTest, ConnectsThroughAServerListAndSurvivesLosingTheServerInUse) {
  testing::NatsCluster cluster(3);
  auto daemon =
      Start(GetParam().binary, testing::Services().postgres.NewDatabase(), cluster.Urls());
  ASSERT_TRUE(
      testing::WaitFor([&] { return HttpGet(daemon.metrics_port, "/healthz") == 200; }, 15s))
      << daemon.process->Log();
  // Clients take the list in order: the first member is the one in use.
  cluster.node(0).Kill();
  std::string metrics;
  EXPECT_TRUE(testing::WaitFor(
      [&] {
        return HttpGet(daemon.metrics_port, "/metrics", &metrics) == 200 &&
               metrics.find("lokahi_nats_reconnects_total 1") != std::string::npos &&
               HttpGet(daemon.metrics_port, "/healthz") == 200;
      },
      15s))
      << metrics;
  EXPECT_TRUE(daemon.process->Running());
}

// NATS_URL may carry credentials; wrong ones leave the daemon unready (naming NATS) rather than
// hung, and the effective configuration it prints hides them.
TEST_P(OpsEndpointsTest, NatsCredentialsFromTheUrl) {
  testing::NatsServerOptions options;
  options.user = "lokahi";
  options.password = "n4ts-s3cret";
  testing::NatsServer nats(options);
  const std::string database_url = testing::Services().postgres.NewDatabase();

  auto wrong = Start(GetParam().binary, database_url,
                     "nats://lokahi:not-it@127.0.0.1:" + std::to_string(nats.port()));
  std::string reason;
  EXPECT_FALSE(testing::WaitFor(
      [&] { return HttpGet(wrong.metrics_port, "/healthz", &reason) == 200; }, 2s));
  EXPECT_NE(reason.find("nats"), std::string::npos) << reason;
  EXPECT_EQ(wrong.process->Log().find("not-it"), std::string::npos) << wrong.process->Log();

  auto right = Start(GetParam().binary, database_url, nats.UrlWithCredentials());
  EXPECT_TRUE(testing::WaitFor([&] { return HttpGet(right.metrics_port, "/healthz") == 200; }, 15s))
      << right.process->Log();
  EXPECT_EQ(right.process->Log().find("n4ts-s3cret"), std::string::npos) << right.process->Log();
}

INSTANTIATE_TEST_SUITE_P(EveryDaemon, OpsEndpointsTest, ::testing::ValuesIn(kDaemons),
                         [](const auto& info) {
                           std::string name =
                               info.param.binary.substr(0, info.param.binary.find('/'));
                           return name;
                         });

// While NATS is down lokahid serves its API: what needs no NATS works, Run (which needs a
// healthworker over NATS) answers UNAVAILABLE at once; it all works once NATS starts.
TEST(LokahidWithoutNats, ServesTheApiAndRunAnswersUnavailable) {
  namespace pb = github::xe::lokahi;
  testing::NatsServer nats;
  nats.Stop();
  const int api_port = testing::FreePort();
  const int metrics_port = testing::FreePort();
  auto lokahid = testing::StartDaemon("lokahid/lokahid",
                                      {{"DATABASE_URL", testing::Services().postgres.NewDatabase()},
                                       {"NATS_URL", nats.Url()},
                                       {"PORT", std::to_string(api_port)},
                                       {"LOKAHI_METRICS_PORT", std::to_string(metrics_port)}},
                                      api_port);
  auto stub = pb::Checks::NewStub(grpc::CreateChannel("127.0.0.1:" + std::to_string(api_port),
                                                      grpc::InsecureChannelCredentials()));
  const auto call = [](auto method) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 10s);
    return method(&context);
  };
  pb::CreateOpts opts;
  opts.set_url("http://127.0.0.1:9/");
  opts.set_webhook_url("http://127.0.0.1:9/hook");
  opts.set_every(60);
  pb::Check check;
  const auto created = call([&](grpc::ClientContext* c) { return stub->Create(c, opts, &check); });
  ASSERT_TRUE(created.ok()) << created.error_message();

  pb::CheckID id;
  id.set_id(check.id());
  pb::CheckStatus status;
  const auto started = std::chrono::steady_clock::now();
  const auto run = call([&](grpc::ClientContext* c) { return stub->Run(c, id, &status); });
  EXPECT_EQ(run.error_code(), grpc::StatusCode::UNAVAILABLE) << run.error_message();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s) << "Run waited for a NATS that is down";
  EXPECT_EQ(HttpGet(metrics_port, "/healthz"), 503);

  nats.Start();
  EXPECT_TRUE(testing::WaitFor([&] { return HttpGet(metrics_port, "/healthz") == 200; }, 15s));
}

}  // namespace
}  // namespace lokahi
