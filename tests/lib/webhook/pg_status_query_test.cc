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
  // Continuous percentiles: p = 1 + q * (n - 1), in ms; read from log buckets, within 0.55 %.
  EXPECT_NEAR(h.p50_ns, 50.5e6, 50.5e6 * 0.0055);
  EXPECT_NEAR(h.p75_ns, 75.25e6, 75.25e6 * 0.0055);
  EXPECT_NEAR(h.p95_ns, 95.05e6, 95.05e6 * 0.0055);
  EXPECT_NEAR(h.p99_ns, 99.01e6, 99.01e6 * 0.0055);
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

// The rollup-based figures against the same figures computed here from the raw
// rows, on results spread over 35 days with gaps (whole days and hours without
// probes), partial days and hours at every window's start, probes without an
// answer, and a check with no probe in its last day.
TEST_F(PgStatusQueryTest, RollupFiguresEqualTheRawRowsOnes) {
  const auto busy = NewCheck(), quiet = NewCheck(), never = NewCheck();
  {
    pqxx::work txn(*sql_);
    txn.exec("SELECT lokahi_ensure_result_partitions(current_date - 36, 38)");
    // Every 7 minutes over 35 days, skipping days 3-4 and 12 and the hour 30
    // hours ago; every fifth probe DOWN, every seventh unanswered. One
    // COPY-like statement per day, as batches.
    for (int day = 0; day < 35; ++day) {
      if (day == 3 || day == 4 || day == 12) continue;
      txn.exec_params(
          "INSERT INTO results (check_id, due_at, probed_at, status_code, "
          "latency_ns, verdict)"
          " SELECT $1::uuid, t, t, CASE WHEN n % 7 = 0 THEN 0 ELSE 200 END,"
          "   1000000 + (n * 7919) % 90000000,"
          "   CASE WHEN n % 5 = 0 THEN 1 WHEN n % 7 = 0 THEN 2 ELSE 0 END"
          " FROM generate_series(0, 205) AS n,"
          "   LATERAL (SELECT now() - ($2 + 1) * interval '1 day' + n * "
          "interval '7 minutes'"
          "            + interval '13 seconds' AS t) s"
          " WHERE t <= now() AND NOT (t > now() - interval '31 hours' AND"
          "                           t <= now() - interval '30 hours')",
          busy.str(), day);
    }
    // quiet: a few probes 3 days ago only (nothing in its last 24 hours).
    txn.exec_params(
        "INSERT INTO results (check_id, due_at, probed_at, "
        "status_code, latency_ns, verdict)"
        " SELECT $1::uuid, t, t, 500, 5000000 * n, 1 FROM "
        "generate_series(1, 4) AS n,"
        "   LATERAL (SELECT now() - interval '3 days' - n * "
        "interval '1 minute' AS t) s",
        quiet.str());
    txn.commit();
  }
  // Days before yesterday counted into daily_uptime, as lokahid's hourly
  // maintenance does.
  {
    pqxx::work txn(*sql_);
    RollUpDailyUptime(txn);
    txn.commit();
  }

  const auto uptimes = query_->UptimeRatiosFor(std::vector<checks::CheckId>{busy, quiet, never});
  const auto histograms = query_->HistogramsFor({busy, quiet, never}, 24h);
  pqxx::work txn(*sql_);
  const auto expect_window = [&](const checks::CheckId& id, const std::string& from_sql,
                                 int64_t probes, double ratio, const char* window) {
    const auto row = txn.exec_params1(
        "SELECT count(*), count(*) FILTER (WHERE verdict = 0) FROM results"
        " WHERE check_id = $1::uuid AND probed_at >= " +
            from_sql,
        id.str());
    EXPECT_EQ(probes, row[0].as<int64_t>()) << window;
    const int64_t raw = row[0].as<int64_t>();
    EXPECT_DOUBLE_EQ(ratio, raw == 0 ? 0.0 : row[1].as<double>() / raw) << window;
  };
  for (const auto& id : {busy, quiet, never}) {
    const auto& u = uptimes.at(id.str());
    expect_window(id, "now() - interval '24 hours'", u.probes_24h, u.last_24h, "24h");
    expect_window(id, "now() - interval '7 days'", u.probes_7d, u.last_7d, "7d");
    expect_window(id, "(current_date - 30)::timestamptz", u.probes_30d, u.last_30d, "30d");
  }
  EXPECT_GT(uptimes.at(busy.str()).probes_24h, 0);
  EXPECT_GT(uptimes.at(quiet.str()).probes_7d, 0);
  // No probes in a window: a count of 0, which bodies and the API show as
  // unknown.
  EXPECT_EQ(uptimes.at(quiet.str()).probes_24h, 0);
  EXPECT_EQ(uptimes.at(never.str()).probes_30d, 0);

  const auto raw = txn.exec_params1(
      "SELECT count(*), min(latency_ns)::float8, max(latency_ns)::float8, "
      "avg(latency_ns)::float8,"
      " stddev_pop(latency_ns)::float8,"
      " percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ns),"
      " percentile_cont(0.99) WITHIN GROUP (ORDER BY latency_ns)"
      " FROM results WHERE check_id = $1::uuid AND status_code > 0"
      " AND probed_at >= now() - interval '24 hours'",
      busy.str());
  const auto& h = histograms.at(busy.str());
  EXPECT_EQ(h.samples, raw[0].as<int64_t>());
  EXPECT_DOUBLE_EQ(h.min_ns, raw[1].as<double>());
  EXPECT_DOUBLE_EQ(h.max_ns, raw[2].as<double>());
  EXPECT_NEAR(h.mean_ns, raw[3].as<double>(), 1e-3);
  EXPECT_NEAR(h.stddev_ns, raw[4].as<double>(), 1e-3);
  EXPECT_NEAR(h.p50_ns, raw[5].as<double>(), raw[5].as<double>() * 0.0055);
  EXPECT_NEAR(h.p99_ns, raw[6].as<double>(), raw[6].as<double>() * 0.0055);
  EXPECT_EQ(histograms.at(quiet.str()).samples, 0);
  EXPECT_EQ(histograms.at(never.str()).samples, 0);
}

}  // namespace
}  // namespace lokahi::store
