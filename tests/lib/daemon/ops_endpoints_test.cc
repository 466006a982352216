// Every daemon's /metrics and /healthz, scraped over HTTP as Prometheus and an orchestrator would.

#include <gtest/gtest.h>
#include <httplib.h>

#include <functional>
#include <memory>

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
     {"lokahi_scheduler_active", "lokahi_dispatched_slots_total", "lokahi_dispatch_lag_seconds_bucket",
      "lokahi_db_pool_in_use", "lokahi_nats_reconnects_total"}},
    {"healthworker/healthworker",
     {"lokahi_probes_total{outcome=\"up\"}", "lokahi_probes_total{outcome=\"error\"}",
      "lokahi_probe_latency_seconds_bucket", "lokahi_result_batch_rows_bucket",
      "lokahi_schedule_lag_seconds_bucket", "lokahi_db_pool_in_use",
      "lokahi_nats_reconnects_total"}},
    {"webhookworker/webhookworker",
     {"lokahi_webhook_deliveries_total", "lokahi_db_pool_in_use", "lokahi_nats_reconnects_total"}},
};

class OpsEndpointsTest : public ::testing::TestWithParam<DaemonUnderTest> {};

int Get(int port, const std::string& path, std::string* body = nullptr) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(2);
  client.set_read_timeout(5);
  const auto response = client.Get(path.c_str());
  if (!response) return 0;
  if (body) *body = response->body;
  return response->status;
}

struct RunningDaemon {
  int metrics_port = 0;
  std::unique_ptr<testing::ChildProcess> process;
};

RunningDaemon Start(const std::string& binary, const std::string& database_url,
                    const std::string& nats_url) {
  RunningDaemon daemon;
  daemon.metrics_port = testing::FreePort();
  daemon.process = testing::StartDaemon(
      binary,
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
  EXPECT_TRUE(testing::WaitFor([&] { return Get(daemon.metrics_port, "/healthz") == 200; }, 10s));
  stop();
  std::string reason;
  EXPECT_TRUE(testing::WaitFor(
      [&] { return Get(daemon.metrics_port, "/healthz", &reason) == 503; }, 10s))
      << "unready without " << dependency;
  EXPECT_NE(reason.find(dependency), std::string::npos) << reason;
  start();
  EXPECT_TRUE(testing::WaitFor([&] { return Get(daemon.metrics_port, "/healthz") == 200; }, 15s))
      << "ready again when " << dependency << " returns, without a restart";
  EXPECT_TRUE(daemon.process->Running()) << daemon.process->Log();
}

TEST_P(OpsEndpointsTest, MetricsHaveTheNamedSeriesAndHealthzFollowsNats) {
  testing::NatsServer nats;  // private: this test stops it
  auto daemon = Start(GetParam().binary, testing::Services().postgres.NewDatabase(), nats.Url());

  std::string metrics;
  ASSERT_EQ(Get(daemon.metrics_port, "/metrics", &metrics), 200);
  for (const auto& series : GetParam().series) {
    EXPECT_NE(metrics.find(series), std::string::npos) << series << " missing from\n" << metrics;
  }
  EXPECT_NE(metrics.find("# TYPE "), std::string::npos);

  ExpectHealthzFollows(daemon, "nats", [&] { nats.Stop(); }, [&] { nats.Start(); });
}

TEST_P(OpsEndpointsTest, HealthzFollowsPostgresAndTheDaemonRecoversWithoutARestart) {
  testing::PostgresServer postgres;  // private: this test stops it
  auto daemon = Start(GetParam().binary, postgres.NewDatabase(), testing::Services().nats.Url());
  ExpectHealthzFollows(daemon, "postgres", [&] { postgres.Stop(); }, [&] { postgres.Start(); });
}

INSTANTIATE_TEST_SUITE_P(EveryDaemon, OpsEndpointsTest, ::testing::ValuesIn(kDaemons),
                         [](const auto& info) {
                           std::string name = info.param.binary.substr(0, info.param.binary.find('/'));
                           return name;
                         });

}  // namespace
}  // namespace lokahi
