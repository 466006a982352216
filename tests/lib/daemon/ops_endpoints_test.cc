// Every daemon's /metrics and /healthz, scraped over HTTP as Prometheus and an orchestrator would.

#include <gtest/gtest.h>
#include <httplib.h>

#include "tests/support/daemon.h"
#include "tests/support/nats_server.h"
#include "tests/support/ports.h"
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

TEST_P(OpsEndpointsTest, MetricsHaveTheNamedSeriesAndHealthzFollowsNats) {
  const auto& daemon = GetParam();
  testing::NatsServer nats;  // private: this test stops it
  const int metrics_port = testing::FreePort();
  auto process = testing::StartDaemon(
      daemon.binary,
      {{"DATABASE_URL", testing::Services().postgres.NewDatabase()},
       {"NATS_URL", nats.Url()},
       {"PORT", std::to_string(testing::FreePort())},
       {"LOKAHI_METRICS_PORT", std::to_string(metrics_port)}},
      metrics_port);

  std::string metrics;
  ASSERT_EQ(Get(metrics_port, "/metrics", &metrics), 200);
  for (const auto& series : daemon.series) {
    EXPECT_NE(metrics.find(series), std::string::npos) << series << " missing from\n" << metrics;
  }
  EXPECT_NE(metrics.find("# TYPE "), std::string::npos);

  EXPECT_TRUE(testing::WaitFor([&] { return Get(metrics_port, "/healthz") == 200; }, 10s));
  nats.Stop();
  std::string reason;
  EXPECT_TRUE(testing::WaitFor([&] { return Get(metrics_port, "/healthz", &reason) == 503; }, 10s))
      << "unready without NATS";
  EXPECT_NE(reason.find("nats"), std::string::npos) << reason;
  nats.Start();
  EXPECT_TRUE(testing::WaitFor([&] { return Get(metrics_port, "/healthz") == 200; }, 15s))
      << "ready again when NATS returns";
  EXPECT_TRUE(process->Running());
}

INSTANTIATE_TEST_SUITE_P(EveryDaemon, OpsEndpointsTest, ::testing::ValuesIn(kDaemons),
                         [](const auto& info) {
                           std::string name = info.param.binary.substr(0, info.param.binary.find('/'));
                           return name;
                         });

}  // namespace
}  // namespace lokahi
