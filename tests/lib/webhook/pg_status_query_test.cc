// PgStatusQuery against a real Postgres, compared with values computed here.

#include "lib/store/pg_status_query.h"

#include <gtest/gtest.h>

#include <cmath>

#include "lib/checks/state_machine.h"
#include "lib/store/uptime_rollup.h"
#include "tests/lib/webhook/outbox_rows.h"

namespace lokahi::store {
namespace {

using namespace std::chrono_literals;

class PgStatusQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto url = webhook::testrows::NewMigratedDatabase();
    sql_ = std::make_unique<pqxx::connection>(url);
    pool_ = std::make_unique<postgres::ConnectionPool>(url, 2);
    query_ = std::make_unique<PgStatusQuery>(*pool_);
  }
  checks::CheckId NewCheck() {
    return *checks::CheckId::Parse(webhook::testrows::InsertCheck(*sql_, {"http://127.0.0.1:1/h"}));
  }
  void Result(const checks::CheckId& id, int64_t latency_ns, int status, checks::Verdict verdict,
              const std::string& at = "now()") {
    webhook::testrows::InsertResult(*sql_, id.str(), latency_ns, status, static_cast<int>(verdict),
                                    at);
  }

  std::unique_ptr<pqxx::connection> sql_;
  std::unique_ptr<postgres::ConnectionPool> pool_;
  std::unique_ptr<PgStatusQuery> query_;
};

TEST_F(PgStatusQueryTest, HistogramOfTheLastDayOfAnsweredProbes) {
  const auto id = NewCheck();
  // 1..100 ms within the window.
  for (int i = 1; i <= 100; ++i) {
    Result(id, i * 1000000LL, 200, checks::Verdict::kUp, "now() - interval '1 hour'");
  }
  // Outside the window, and a probe without an answer: both ignored.
  Result(id, 999000000000LL, 200, checks::Verdict::kUp, "now() - interval '25 hours'");
  Result(id, 888000000000LL, 0, checks::Verdict::kError);

  const auto h = query_->HistogramFor(id, 24h);
  EXPECT_EQ(h.samples, 100);
  EXPECT_DOUBLE_EQ(h.min_ns, 1e6);
  EXPECT_DOUBLE_EQ(h.max_ns, 100e6);
  EXPECT_NEAR(h.mean_ns, 50.5e6, 1);
  double variance = 0;
  for (int i = 1; i <= 100; ++i) variance += std::pow(i * 1e6 - 50.5e6, 2);
  EXPECT_NEAR(h.stddev_ns, std::sqrt(variance / 100), 1);
  // Continuous percentiles: p = 1 + q * (n - 1), in ms.
  EXPECT_NEAR(h.p50_ns, 50.5e6, 1);
  EXPECT_NEAR(h.p75_ns, 75.25e6, 1);
  EXPECT_NEAR(h.p95_ns, 95.05e6, 1);
  EXPECT_NEAR(h.p99_ns, 99.01e6, 1);
}

TEST_F(PgStatusQueryTest, ManyChecksInOneQueryAndEmptyOnesAreZero) {
  const auto a = NewCheck(), b = NewCheck(), empty = NewCheck();
  Result(a, 10, 200, checks::Verdict::kUp);
  Result(b, 20, 500, checks::Verdict::kDown);
  Result(b, 40, 500, checks::Verdict::kDown);
  const auto histograms = query_->HistogramsFor({a, b, empty}, 24h);
  ASSERT_EQ(histograms.size(), 3u);
  EXPECT_EQ(histograms.at(a.str()).samples, 1);
  EXPECT_DOUBLE_EQ(histograms.at(a.str()).p99_ns, 10);
  EXPECT_EQ(histograms.at(b.str()).samples, 2);
  EXPECT_DOUBLE_EQ(histograms.at(b.str()).mean_ns, 30);
  EXPECT_DOUBLE_EQ(histograms.at(b.str()).stddev_ns, 10);
  EXPECT_EQ(histograms.at(empty.str()).samples, 0);
  EXPECT_DOUBLE_EQ(histograms.at(empty.str()).max_ns, 0);
}

TEST_F(PgStatusQueryTest, UptimeRatiosPerWindow) {
  const auto id = NewCheck();
  // Last day: 3 of 4 UP. Last week adds 4 DOWN. Last month adds 2 UP.
  for (int i = 0; i < 3; ++i) Result(id, 1, 200, checks::Verdict::kUp, "now() - interval '1 hour'");
  Result(id, 1, 0, checks::Verdict::kError, "now() - interval '2 hours'");
  for (int i = 0; i < 4; ++i)
    Result(id, 1, 500, checks::Verdict::kDown, "now() - interval '3 days'");
  for (int i = 0; i < 2; ++i)
    Result(id, 1, 200, checks::Verdict::kUp, "now() - interval '20 days'");
  Result(id, 1, 500, checks::Verdict::kDown, "now() - interval '40 days'");
  const auto uptime = query_->UptimeRatiosFor(id);
  EXPECT_DOUBLE_EQ(uptime.last_24h, 0.75);
  EXPECT_DOUBLE_EQ(uptime.last_7d, 3.0 / 8.0);
  EXPECT_DOUBLE_EQ(uptime.last_30d, 5.0 / 10.0);
  EXPECT_EQ(uptime.probes_24h, 4);
  EXPECT_EQ(uptime.probes_7d, 8);
  EXPECT_EQ(uptime.probes_30d, 10);
  // A check never probed has no uptime to speak of: 0 with a count of 0, not a measured 0 %.
  const auto none = query_->UptimeRatiosFor(NewCheck());
  EXPECT_DOUBLE_EQ(none.last_24h, 0);
  EXPECT_DOUBLE_EQ(none.last_30d, 0);
  EXPECT_EQ(none.probes_24h, 0);
  EXPECT_EQ(none.probes_7d, 0);
  EXPECT_EQ(none.probes_30d, 0);
}

TEST_F(PgStatusQueryTest, ThirtyDayUptimeOutlivesTheRawResultsRetention) {
  const auto id = NewCheck();
  for (int i = 0; i < 2; ++i) {
    Result(id, 1, 200, checks::Verdict::kUp, "now() - interval '20 days'");
  }
  Result(id, 1, 500, checks::Verdict::kDown, "now() - interval '10 days'");
  Result(id, 1, 200, checks::Verdict::kUp, "now() - interval '1 minute'");
  {
    pqxx::work txn(*sql_);
    EXPECT_GE(RollUpDailyUptime(txn), 29);  // every finished day of the last month, once
    EXPECT_EQ(RollUpDailyUptime(txn), 0);
    // What lokahid's retention does after counting: the old raw results are gone.
    txn.exec0("DELETE FROM results WHERE probed_at < now() - interval '7 days'");
    txn.commit();
  }
  const auto uptime = query_->UptimeRatiosFor(id);
  EXPECT_DOUBLE_EQ(uptime.last_24h, 1.0);
  EXPECT_DOUBLE_EQ(uptime.last_7d, 1.0);
  EXPECT_DOUBLE_EQ(uptime.last_30d, 3.0 / 4.0) << "the 20- and 10-day-old probes still count";
  EXPECT_EQ(uptime.probes_30d, 4);
  // Results after the last counted day come from the raw table, never twice.
  Result(id, 1, 500, checks::Verdict::kDown, "now()");
  EXPECT_DOUBLE_EQ(query_->UptimeRatiosFor(id).last_30d, 3.0 / 5.0);
}

}  // namespace
}  // namespace lokahi::store
