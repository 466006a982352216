// lokahid's hourly maintenance against a real Postgres: old days of results are dropped whole,
// after their uptime was counted.

#include "lokahid/maintenance.h"

#include <gtest/gtest.h>

#include <chrono>
#include <pqxx/pqxx>
#include <sstream>

#include "tests/lib/webhook/outbox_rows.h"

namespace lokahi::lokahid {
namespace {

namespace rows = webhook::testrows;

class MaintenanceTest : public ::testing::Test {
 protected:
  MaintenanceTest() : url_(rows::NewMigratedDatabase()), sql_(url_), log_("lokahid", log_text_) {}

  void RunMaintenanceNow() { RunMaintenance(sql_, 7, log_); }
  std::string Log() const { return log_text_.str(); }

  std::string url_;
  pqxx::connection sql_;
  std::ostringstream log_text_;
  logging::Logger log_;
};

TEST_F(MaintenanceTest, DropsDaysPastRetentionAfterCountingTheirUptime) {
  const std::string id = rows::InsertCheck(sql_, {"http://127.0.0.1:9/hook"});
  {
    // A day 20 days ago in its own partition (as it was when it was today).
    pqxx::work txn(sql_);
    txn.exec("SELECT lokahi_ensure_result_partitions(current_date - 20, 1)");
    txn.commit();
  }
  for (const char* at : {"now() - interval '20 days'", "now() - interval '20 days'", "now()"}) {
    rows::InsertResult(sql_, id, 1000, 200, 0, at);
  }
  RunMaintenanceNow();

  pqxx::read_transaction txn(sql_);
  EXPECT_EQ(txn.exec1("SELECT count(*) FROM results WHERE probed_at < now() - interval '7 days'")[0]
                .as<int>(),
            0);
  EXPECT_EQ(txn.exec1("SELECT count(*) FROM results")[0].as<int>(), 1) << "today stays";
  EXPECT_EQ(txn.exec1("SELECT count(*) FROM pg_class WHERE relname = 'results_' ||"
                      " to_char(current_date - 20, 'YYYYMMDD')")[0]
                .as<int>(),
            0)
      << "dropped whole, not row by row";
  // Counted before the drop: the 30-day uptime still has those two probes.
  EXPECT_EQ(txn.exec_params1("SELECT coalesce(sum(probes), 0) FROM daily_uptime"
                             " WHERE check_id = $1::uuid AND day = current_date - 20",
                             id)[0]
                .as<int>(),
            2);
  EXPECT_NE(Log().find("event=maintenance uptime_days_counted="), std::string::npos) << Log();
  EXPECT_NE(Log().find("partitions_dropped=1"), std::string::npos) << Log();
}

TEST_F(MaintenanceTest, ForgetsOldDeliveredWebhooksButNeverAPendingOne) {
  const std::string id = rows::InsertCheck(sql_, {"http://127.0.0.1:9/hook"});
  // (age in days, delivery_state): old delivered, old failed, old still pending, recent.
  for (const auto& [days, state] :
       std::vector<std::pair<int, int>>{{40, 1}, {40, 2}, {40, 0}, {3, 1}}) {
    rows::TransitionRow transition;
    transition.check_id = id;
    transition.at_sql = "now() - interval '" + std::to_string(days) + " days'";
    const int64_t transition_id = rows::InsertTransition(sql_, transition);
    pqxx::work txn(sql_);
    txn.exec_params("UPDATE transitions SET delivery_state = $2 WHERE id = $1", transition_id,
                    state);
    txn.commit();
  }
  RunMaintenanceNow();
  pqxx::read_transaction txn(sql_);
  const auto left = txn.exec(
      "SELECT extract(day FROM now() - at)::int, delivery_state FROM transitions ORDER BY id");
  ASSERT_EQ(left.size(), 2u) << Log();
  EXPECT_EQ(left[0][1].as<int>(), 0) << "an old pending webhook is still owed";
  EXPECT_EQ(left[1][0].as<int>(), 3);
  EXPECT_NE(Log().find("transitions_forgotten=2"), std::string::npos) << Log();
}

TEST_F(MaintenanceTest, ADayAlreadyInTheDefaultPartitionDoesNotStopTheOthers) {
  // As on a deployment where maintenance did not run for days: today's rows went to the default
  // partition, so today can no longer get a partition of its own.
  {
    pqxx::work txn(sql_);
    txn.exec("DROP TABLE IF EXISTS results_" +
             txn.exec1("SELECT to_char(current_date, 'YYYYMMDD')")[0].as<std::string>());
    txn.commit();
  }
  rows::InsertResult(sql_, "00000000-0000-0000-0000-000000000001", 1000, 200, 0);
  RunMaintenanceNow();
  EXPECT_EQ(Log().find("maintenance_failed"), std::string::npos) << Log();
  pqxx::read_transaction txn(sql_);
  EXPECT_EQ(txn.exec1("SELECT count(*) FROM pg_class WHERE relname = 'results_' ||"
                      " to_char(current_date + 2, 'YYYYMMDD')")[0]
                .as<int>(),
            1)
      << "the coming days still get their partitions";
  EXPECT_EQ(txn.exec1("SELECT count(*) FROM results")[0].as<int>(), 1) << "nothing lost";
}

TEST_F(MaintenanceTest, CompactingTheCheckListFoldsDeltasAndWaitsForNoBulkInsert) {
  for (int i = 0; i < 5; ++i) rows::InsertCheck(sql_, {"http://127.0.0.1:9/hook"});
  const auto count = [&](const char* query) {
    pqxx::read_transaction txn(sql_);
    return txn.exec1(query)[0].as<int>();
  };
  ASSERT_EQ(count("SELECT count(*) FROM check_list_deltas"), 5) << "one per create statement";

  // A bulk insert in progress elsewhere holds the blocks: compaction gives up instead of waiting.
  pqxx::connection bulk(url_);
  pqxx::work bulk_txn(bulk);
  bulk_txn.exec("LOCK TABLE check_list_blocks IN EXCLUSIVE MODE");
  const auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(CompactCheckList(sql_));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
  bulk_txn.abort();

  EXPECT_TRUE(CompactCheckList(sql_));
  EXPECT_EQ(count("SELECT count(*) FROM check_list_deltas"), 0);
  EXPECT_EQ(count("SELECT sum(checks) FROM check_list_blocks"), 5);
}

}  // namespace
}  // namespace lokahi::lokahid
