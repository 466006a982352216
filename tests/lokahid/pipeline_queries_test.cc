// runstats' figures against a real Postgres: batches written as the healthworker writes them,
// read back through PgPipelineQueries, compared with values computed here.

#include "lokahid/pipeline_queries.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <pqxx/pqxx>

#include "lib/store/pg_result_writer.h"
#include "tests/lib/webhook/outbox_rows.h"

namespace lokahi::lokahid {
namespace {

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class PipelineQueriesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string url = webhook::testrows::NewMigratedDatabase();
    pool_ = std::make_unique<postgres::ConnectionPool>(url, 2);
    sql_ = std::make_unique<pqxx::connection>(url);
  }
  std::string CreateCheck() {
    return webhook::testrows::InsertCheck(*sql_, {"http://127.0.0.1:9/hook"});
  }
  std::unique_ptr<pqxx::connection> sql_;
  std::unique_ptr<postgres::ConnectionPool> pool_;
};

TEST_F(PipelineQueriesTest, RunStatsSumsEveryBatchOfTheLastHour) {
  const std::string id = CreateCheck();
  store::PgResultWriter writer(*pool_);
  std::vector<double> latencies_ns, lags_ms;
  int64_t slot_ms = NowMicros() / 1000 - 1000;
  for (int batch_number = 0; batch_number < 3; ++batch_number) {
    std::vector<store::ProbeRecord> batch;
    for (int i = 0; i < 200; ++i) {
      store::ProbeRecord r;
      r.check_id = id;
      r.slot_ms = ++slot_ms;
      const int64_t lag_ms = 1 + (i * 7) % 300;
      r.probed_unix_us = r.slot_ms * 1000 + lag_ms * 1000;
      r.status_code = 200;
      r.verdict = checks::Verdict::kUp;
      r.latency_ns = 100'000 + int64_t{i} * i * 1'000 + batch_number * 3'000'000;
      latencies_ns.push_back(static_cast<double>(r.latency_ns));
      lags_ms.push_back(static_cast<double>(lag_ms));
      batch.push_back(r);
    }
    store::ProbeRecord refused = batch.back();  // no answer: counted, but has no latency
    refused.slot_ms = ++slot_ms;
    refused.probed_unix_us = refused.slot_ms * 1000 + 5'000;
    refused.status_code = 0;
    refused.latency_ns = 1;
    refused.verdict = checks::Verdict::kError;
    lags_ms.push_back(5);
    batch.push_back(refused);
    writer.Write(batch, 0);
  }

  const PipelineStats stats = PgPipelineQueries(*pool_).RunStats();
  EXPECT_EQ(stats.probes_last_hour, 603);
  EXPECT_EQ(stats.probes_last_minute, 603);
  EXPECT_EQ(stats.checks, 1);
  EXPECT_EQ(stats.latency.samples, 600);
  std::sort(latencies_ns.begin(), latencies_ns.end());
  std::sort(lags_ms.begin(), lags_ms.end());
  EXPECT_DOUBLE_EQ(stats.latency.min_ns, latencies_ns.front());
  EXPECT_DOUBLE_EQ(stats.latency.max_ns, latencies_ns.back());
  double sum = 0, squares = 0;
  for (const double v : latencies_ns) sum += v;
  const double mean = sum / latencies_ns.size();
  for (const double v : latencies_ns) squares += (v - mean) * (v - mean);
  EXPECT_NEAR(stats.latency.mean_ns, mean, mean * 1e-9);
  EXPECT_NEAR(stats.latency.stddev_ns, std::sqrt(squares / latencies_ns.size()), 1.0);
  const auto exact = [](const std::vector<double>& sorted, double q) {
    return sorted[static_cast<size_t>(std::ceil(q * sorted.size())) - 1];
  };
  for (const auto& [q, got] : {std::pair{0.5, stats.latency.p50_ns},
                               {0.75, stats.latency.p75_ns},
                               {0.95, stats.latency.p95_ns},
                               {0.99, stats.latency.p99_ns}}) {
    EXPECT_NEAR(got / exact(latencies_ns, q), 1.0, 0.095) << "latency q" << q;
  }
  EXPECT_NEAR(stats.lag_p50_ms / exact(lags_ms, 0.5), 1.0, 0.095);
  EXPECT_NEAR(stats.lag_p99_ms / exact(lags_ms, 0.99), 1.0, 0.095);
}

TEST_F(PipelineQueriesTest, RunStatsOfAnIdlePipelineIsZero) {
  const PipelineStats stats = PgPipelineQueries(*pool_).RunStats();
  EXPECT_EQ(stats.probes_last_hour, 0);
  EXPECT_EQ(stats.latency.samples, 0);
  EXPECT_EQ(stats.latency.p99_ns, 0);
  EXPECT_EQ(stats.lag_p99_ms, 0);
}

}  // namespace
}  // namespace lokahi::lokahid
