// PgStatusPageQueries against a real Postgres: the 90 daily bars and the 24 h / 7 d / 30 d / 90 d
// uptime a public check shows, from finished days (uptime_bars, kept from daily_uptime by the
// daily rollup) and today's hours, with maintenance and INCONCLUSIVE probes left out as the
// Status API leaves them out.

#include <gtest/gtest.h>

#include <chrono>
#include <pqxx/pqxx>

#include "lib/postgres/migrator.h"
#include "lib/store/pg_maintenance_store.h"
#include "lib/store/pg_status_query.h"
#include "lib/store/schema.h"
#include "lib/store/uptime_rollup.h"
#include "lokahid/status_page/status_page.h"
#include "tests/support/shared_services.h"

namespace lokahi::lokahid {
namespace {

using namespace std::chrono_literals;

constexpr int kUp = 0, kDown = 1, kInconclusive = 3;

class StatusPageQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = testing::Services().postgres.NewDatabase();
    pool_ = std::make_unique<postgres::ConnectionPool>(url_, 2);
    auto c = pool_->Acquire();
    postgres::Migrate(*c, store::SchemaMigrations());
    pqxx::work txn(*c);
    txn.exec("SELECT lokahi_ensure_result_partitions(current_date - 40, 42)");
    txn.commit();
  }

  std::string NewPublicCheck(const std::string& name) {
    auto c = pool_->Acquire();
    pqxx::work txn(*c);
    const auto id = txn.exec_params1(
                           "INSERT INTO checks (url, webhook_url, every_seconds, timeout_ms, name,"
                           " labels) VALUES ('http://127.0.0.1:9/', 'http://127.0.0.1:9/h', 60,"
                           " 1000, $1, '{\"public\":\"true\"}') RETURNING id::text",
                           name)[0]
                        .as<std::string>();
    txn.commit();
    return id;
  }

  // `count` results of `verdict`, `days_ago` days before now: UTC noon of that day for days_ago
  // > 0, so a day's results stay on that day; the statement's clock for 0, so they come after
  // anything done before.
  void Results(const std::string& id, int days_ago, int verdict, int count) {
    auto c = pool_->Acquire();
    pqxx::work txn(*c);
    txn.exec_params0(
        "INSERT INTO results (check_id, due_at, probed_at, status_code, latency_ns, verdict)"
        " SELECT $1::uuid, t, t, 200, 1000000, $3 FROM generate_series(1, $4) n,"
        " LATERAL (SELECT CASE WHEN $2 = 0 THEN clock_timestamp()"
        "   ELSE ((now() AT TIME ZONE 'UTC')::date - $2 + interval '12 hours'"
        "         + n * interval '1 second') AT TIME ZONE 'UTC' END AS t) s",
        id, days_ago, verdict, count);
    txn.commit();
  }

  // `count` results of `verdict` `hours_ago` hours before now.
  void ResultsHoursAgo(const std::string& id, int hours_ago, int verdict, int count) {
    auto c = pool_->Acquire();
    pqxx::work txn(*c);
    txn.exec_params0(
        "INSERT INTO results (check_id, due_at, probed_at, status_code, latency_ns, verdict)"
        " SELECT $1::uuid, t, t, 200, 1000000, $3 FROM generate_series(1, $4) n,"
        " LATERAL (SELECT now() - $2 * interval '1 hour' + n * interval '1 second' AS t) s",
        id, hours_ago, verdict, count);
    txn.commit();
  }

  void RollUp() {
    auto c = pool_->Acquire();
    pqxx::work txn(*c);
    store::RollUpDailyUptime(txn);
    txn.commit();
  }

  PublicCheck Only() {
    const auto page = PgStatusPageQueries(*pool_).Page("", 0);
    EXPECT_EQ(page.checks.size(), 1u);
    return page.checks.empty() ? PublicCheck{} : page.checks[0];
  }

  std::string url_;
  std::unique_ptr<postgres::ConnectionPool> pool_;
};

// Finished days come from the rollup's counts, today from the hourly rollup: each day once.
TEST_F(StatusPageQueryTest, BarsHoldFinishedDaysAndTodayEachOnce) {
  const auto id = NewPublicCheck("api");
  Results(id, 20, kUp, 3);
  Results(id, 20, kDown, 1);
  Results(id, 3, kUp, 2);
  Results(id, 0, kUp, 5);
  RollUp();
  const auto check = Only();
  ASSERT_EQ(check.days.size(), 3u);  // oldest first
  EXPECT_EQ(check.days[0].age, 20);
  EXPECT_EQ(check.days[0].probes, 4);
  EXPECT_EQ(check.days[0].up, 3);
  EXPECT_EQ(check.days[1].age, 3);
  EXPECT_EQ(check.days[1].probes, 2);
  EXPECT_EQ(check.days[2].age, 0);
  EXPECT_EQ(check.days[2].probes, 5);
  EXPECT_EQ(check.uptime_24h.probes, 5);
  EXPECT_EQ(check.uptime_7d.probes, 7);
  EXPECT_DOUBLE_EQ(check.uptime_7d.ratio, 1.0);
  EXPECT_EQ(check.uptime_30d.probes, 11);
  EXPECT_DOUBLE_EQ(check.uptime_30d.ratio, 10.0 / 11.0);
  // A later rollup of the same days changes nothing; a new day counted joins the row.
  RollUp();
  EXPECT_EQ(Only().days.size(), 3u);
  {
    auto c = pool_->Acquire();
    pqxx::work txn(*c);
    txn.exec_params0(
        "INSERT INTO daily_uptime (check_id, day, probes, up)"
        " VALUES ($1::uuid, (now() AT TIME ZONE 'UTC')::date - 60, 10, 1)",
        id);
    txn.commit();
  }
  const auto later = Only();
  ASSERT_EQ(later.days.size(), 4u);
  EXPECT_EQ(later.days[0].age, 60);
  EXPECT_EQ(later.uptime_30d.probes, 11);
  EXPECT_EQ(later.uptime_90d.probes, 21);
  EXPECT_DOUBLE_EQ(later.uptime_90d.ratio, 11.0 / 21.0);
}

// The status page and the Status API agree on the last 24 hours: maintenance and INCONCLUSIVE
// probes count for neither.
TEST_F(StatusPageQueryTest, MaintenanceAndInconclusiveProbesAreLeftOutAsInTheStatusApi) {
  const auto id = NewPublicCheck("shop");
  Results(id, 0, kUp, 4);
  Results(id, 0, kInconclusive, 2);
  store::NewMaintenanceWindow window;
  window.check_ids = {id};
  window.duration = 1h;
  store::PgMaintenanceStore(*pool_).Create(window);
  Results(id, 0, kDown, 3);  // probed within the window, which began before them
  const auto check = Only();
  const auto api = store::PgStatusQuery(*pool_).UptimeRatiosFor(*checks::CheckId::Parse(id));
  EXPECT_EQ(api.probes_24h, 4);
  EXPECT_EQ(check.uptime_24h.probes, api.probes_24h);
  EXPECT_DOUBLE_EQ(check.uptime_24h.ratio, api.last_24h);
  EXPECT_EQ(check.uptime_7d.probes, api.probes_7d);
  EXPECT_DOUBLE_EQ(check.uptime_90d.ratio, 1.0);
  ASSERT_EQ(check.days.size(), 1u);
  EXPECT_EQ(check.days[0].probes, 4);
}

// The last 24 hours come from the finished hours the hourly maintenance keeps for published
// checks plus the hours after them, each hour once; hours older than 24 count for none.
TEST_F(StatusPageQueryTest, TheLast24HoursJoinKeptHoursAndNewerOnesOnce) {
  const auto id = NewPublicCheck("queue");
  ResultsHoursAgo(id, 30, kDown, 4);
  ResultsHoursAgo(id, 3, kDown, 2);
  ResultsHoursAgo(id, 0, kUp, 5);
  RollUp();
  {
    auto c = pool_->Acquire();
    pqxx::read_transaction txn(*c);
    EXPECT_NE(txn.exec_params1("SELECT hours FROM uptime_bars WHERE check_id = $1::uuid", id)[0]
                  .as<std::string>(),
              "");
  }
  auto check = Only();
  EXPECT_EQ(check.uptime_24h.probes, 7);
  EXPECT_DOUBLE_EQ(check.uptime_24h.ratio, 5.0 / 7.0);
  Results(id, 0, kUp, 3);  // after the refresh
  check = Only();
  EXPECT_EQ(check.uptime_24h.probes, 10);
  EXPECT_EQ(check.uptime_90d.probes, 14);  // every probe once, 30 hours ago too
  RollUp();
  EXPECT_EQ(Only().uptime_24h.probes, 10);
}

}  // namespace
}  // namespace lokahi::lokahid
