// PgMaintenanceStore with PgResultWriter and PgStatusQuery against a real Postgres: what a
// maintenance window changes for a check's notifications and uptime.

#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "lib/postgres/migrator.h"
#include "lib/store/pg_check_store.h"
#include "lib/store/pg_maintenance_store.h"
#include "lib/store/pg_result_writer.h"
#include "lib/store/pg_status_query.h"
#include "lib/store/schema.h"
#include "tests/support/shared_services.h"

namespace lokahi::store {
namespace {

using checks::Verdict;
using namespace std::chrono_literals;

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class MaintenanceStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = testing::Services().postgres.NewDatabase();
    pool_ = std::make_unique<postgres::ConnectionPool>(url_, 4);
    auto c = pool_->Acquire();
    postgres::Migrate(*c, SchemaMigrations());
    store_ = std::make_unique<PgMaintenanceStore>(*pool_);
  }

  std::string CreateCheck() {
    PgCheckStore checks(*pool_);
    checks::CheckOptions o;
    o.url = "http://127.0.0.1:9/";
    o.webhook_url = "http://127.0.0.1:9/hook";
    checks::ApplyDefaults(o);
    const auto id = checks.Create(o).id;
    // One writer here: a change out of UP needs no second worker's confirmation (migration 152).
    auto c = pool_->Acquire();
    pqxx::work txn(*c);
    txn.exec_params("UPDATE checks SET confirm = false WHERE id = $1::uuid", id);
    txn.commit();
    return id;
  }

  // A scheduled probe made now, in a slot after every earlier one.
  WriteOutcome Probe(const std::string& id, Verdict verdict) {
    ProbeRecord r;
    r.check_id = id;
    r.slot_ms = ++slot_ * 1000;
    r.probed_unix_us = NowMicros();
    r.verdict = verdict;
    r.status_code = verdict == Verdict::kUp ? 200 : 503;
    r.latency_ns = 1000000;
    return PgResultWriter(*pool_).Write({r}, 0);
  }

  MaintenanceWindow WindowFor(const std::string& id, std::chrono::seconds duration = 1h) {
    NewMaintenanceWindow w;
    w.check_ids = {id};
    w.duration = duration;
    return store_->Create(w);
  }

  // (from, to, delivery_state) of the check's transitions, oldest first.
  std::vector<std::tuple<int, int, int>> Transitions(const std::string& id) {
    auto c = pool_->Acquire();
    pqxx::read_transaction txn(*c);
    std::vector<std::tuple<int, int, int>> out;
    for (const auto& row :
         txn.exec_params("SELECT from_state, to_state, delivery_state"
                         " FROM transitions WHERE check_id = $1::uuid ORDER BY id",
                         id)) {
      out.emplace_back(row[0].as<int>(), row[1].as<int>(), row[2].as<int>());
    }
    return out;
  }

  std::string url_;
  std::unique_ptr<postgres::ConnectionPool> pool_;
  std::unique_ptr<PgMaintenanceStore> store_;
  int64_t slot_ = 0;
};

TEST_F(MaintenanceStoreTest, ADownInAWindowNotifiesNobodyUntilItEndsThenOnce) {
  const auto id = CreateCheck();
  EXPECT_EQ(Probe(id, Verdict::kUp).transitions.size(), 1u);  // INIT -> UP, delivered as usual
  const auto window = WindowFor(id);
  EXPECT_TRUE(window.active);

  EXPECT_TRUE(Probe(id, Verdict::kDown).transitions.empty());  // nothing to deliver
  EXPECT_EQ(store_->Upkeep(), 0);                              // still in maintenance
  EXPECT_EQ(Transitions(id), (std::vector<std::tuple<int, int, int>>{{0, 1, 0}, {1, 2, 3}}));

  ASSERT_TRUE(store_->Delete(window.id));  // ends now
  EXPECT_EQ(store_->Upkeep(), 1);
  EXPECT_EQ(store_->Upkeep(), 0);  // once
  EXPECT_EQ(Transitions(id),
            (std::vector<std::tuple<int, int, int>>{{0, 1, 0}, {1, 2, 4}, {1, 2, 0}}));
}

TEST_F(MaintenanceStoreTest, AnOutageOverBeforeTheWindowEndsNotifiesNobody) {
  const auto id = CreateCheck();
  Probe(id, Verdict::kUp);
  const auto window = WindowFor(id);
  Probe(id, Verdict::kDown);
  Probe(id, Verdict::kUp);
  store_->Delete(window.id);
  EXPECT_EQ(store_->Upkeep(), 0);
  EXPECT_EQ(Transitions(id),
            (std::vector<std::tuple<int, int, int>>{{0, 1, 0}, {1, 2, 4}, {2, 1, 4}}));
  // The next change outside maintenance is told as usual.
  EXPECT_EQ(Probe(id, Verdict::kDown).transitions.size(), 1u);
}

TEST_F(MaintenanceStoreTest, OtherChecksAreNotSilenced) {
  const auto covered = CreateCheck(), other = CreateCheck();
  WindowFor(covered);
  EXPECT_TRUE(Probe(covered, Verdict::kDown).transitions.empty());
  EXPECT_EQ(Probe(other, Verdict::kDown).transitions.size(), 1u);
}

TEST_F(MaintenanceStoreTest, UptimeLeavesMaintenanceOut) {
  const auto id = CreateCheck();
  Probe(id, Verdict::kUp);
  Probe(id, Verdict::kUp);
  WindowFor(id);
  Probe(id, Verdict::kDown);
  Probe(id, Verdict::kDown);
  Probe(id, Verdict::kDown);
  const auto uptime = PgStatusQuery(*pool_).UptimeRatiosFor(*checks::CheckId::Parse(id));
  EXPECT_EQ(uptime.probes_24h, 2);
  EXPECT_DOUBLE_EQ(uptime.last_24h, 1.0);
  EXPECT_EQ(uptime.probes_30d, 2);
}

TEST_F(MaintenanceStoreTest, AWindowWhollyInMaintenanceHasNoProbesToCount) {
  const auto id = CreateCheck();
  WindowFor(id);
  Probe(id, Verdict::kDown);
  const auto uptime = PgStatusQuery(*pool_).UptimeRatiosFor(*checks::CheckId::Parse(id));
  EXPECT_EQ(uptime.probes_24h, 0);  // unknown, not 0 %
}

TEST_F(MaintenanceStoreTest, WeeklyOccurrencesFollowTheTimeZone) {
  const auto id = CreateCheck();
  NewMaintenanceWindow w;
  w.check_ids = {id};
  // Monday 02:00-04:00 in Kolkata (UTC+05:30, no DST) is Sunday 20:30-22:30 UTC.
  w.weekly = maintenance::WeeklySchedule{1, 120, 240, "Asia/Kolkata"};
  const auto window = store_->Create(w);
  ASSERT_TRUE(window.next_start && window.next_end);
  const auto start = std::chrono::system_clock::to_time_t(*window.next_start);
  std::tm utc{};
  gmtime_r(&start, &utc);
  EXPECT_EQ(utc.tm_wday, 0);  // Sunday
  EXPECT_EQ(utc.tm_hour * 60 + utc.tm_min, 20 * 60 + 30);
  EXPECT_EQ(*window.next_end - *window.next_start, 2h);
  EXPECT_LT(*window.next_start - std::chrono::system_clock::now(), 24h * 7 + 1h);
}

TEST_F(MaintenanceStoreTest, AWeeklyWindowCoveringNowSilences) {
  const auto id = CreateCheck();
  Probe(id, Verdict::kUp);
  auto c = pool_->Acquire();
  pqxx::work txn(*c);
  const auto now = txn.exec1(
      "SELECT extract(isodow FROM now() AT TIME ZONE 'UTC')::int,"
      " extract(hour FROM now() AT TIME ZONE 'UTC')::int * 60"
      " + extract(minute FROM now() AT TIME ZONE 'UTC')::int");
  txn.commit();
  const int weekday = now[0].as<int>(), minute = now[1].as<int>();
  NewMaintenanceWindow w;
  w.check_ids = {id};
  // From a minute ago (the day before, at 00:00) to 30 minutes ahead, past midnight if need be.
  const int from = minute >= 1 ? minute - 1 : 1439;
  w.weekly = maintenance::WeeklySchedule{minute >= 1 ? weekday : (weekday + 5) % 7 + 1, from,
                                         (minute + 30) % 1440, "UTC"};
  const auto window = store_->Create(w);
  EXPECT_TRUE(window.active);
  EXPECT_TRUE(Probe(id, Verdict::kDown).transitions.empty());
}

TEST_F(MaintenanceStoreTest, RefusesWhatTheDatabaseDoesNotKnow) {
  NewMaintenanceWindow unknown_check;
  unknown_check.check_ids = {"8f14e45f-ceea-467f-a0e6-6ad2c3e1a9f1"};
  unknown_check.duration = 1h;
  EXPECT_THROW(store_->Create(unknown_check), MaintenanceRefused);
  NewMaintenanceWindow unknown_zone;
  unknown_zone.check_ids = {CreateCheck()};
  unknown_zone.weekly = maintenance::WeeklySchedule{7, 120, 240, "Europe/Atlantis"};
  EXPECT_THROW(store_->Create(unknown_zone), MaintenanceRefused);
  NewMaintenanceWindow past = unknown_zone;
  past.weekly.reset();
  past.start = std::chrono::system_clock::now() - 2h;
  past.end = std::chrono::system_clock::now() - 1h;
  EXPECT_THROW(store_->Create(past), MaintenanceRefused);
  EXPECT_TRUE(store_->List(10).empty());
}

TEST_F(MaintenanceStoreTest, ListShowsLiveWindowsAndDeleteEndsThem) {
  const auto id = CreateCheck();
  const auto a = WindowFor(id), b = WindowFor(id, 2h);
  auto listed = store_->List(10);
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].id, a.id);
  EXPECT_EQ(listed[0].check_ids, std::vector<std::string>{id});
  EXPECT_TRUE(store_->Delete(a.id));
  EXPECT_FALSE(store_->Delete(a.id));
  listed = store_->List(10);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].id, b.id);
}

}  // namespace
}  // namespace lokahi::store
