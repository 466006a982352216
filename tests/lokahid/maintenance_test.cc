// lokahid's hourly maintenance against a real Postgres: old days of results are dropped whole,
// after their uptime was counted.

#include "lokahid/maintenance.h"

#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <sstream>

#include "lib/postgres/migrator.h"
#include "lib/store/pg_check_store.h"
#include "lib/store/schema.h"
#include "tests/support/shared_services.h"

namespace lokahi::lokahid {
namespace {

std::string CreateCheck(const std::string& url) {
  postgres::ConnectionPool pool(url, 1);
  store::PgCheckStore checks(pool);
  checks::CheckOptions o;
  o.url = "http://127.0.0.1:9/";
  o.webhook_url = "http://127.0.0.1:9/hook";
  checks::ApplyDefaults(o);
  return checks.Create(o).id;
}

TEST(MaintenanceTest, DropsDaysPastRetentionAfterCountingTheirUptime) {
  const std::string url = testing::Services().postgres.NewDatabase();
  pqxx::connection sql(url);
  postgres::Migrate(sql, store::SchemaMigrations());
  const std::string id = CreateCheck(url);
  {
    pqxx::work txn(sql);
    // A day 20 days ago in its own partition (as it was when it was today), and today.
    txn.exec("SELECT lokahi_ensure_result_partitions(current_date - 20, 1)");
    for (const char* at : {"now() - interval '20 days'", "now() - interval '20 days'", "now()"}) {
      txn.exec_params(std::string("INSERT INTO results (check_id, due_at, probed_at, status_code,"
                                  " latency_ns, verdict) VALUES ($1::uuid, ") +
                          at + ", " + at + ", 200, 1000, 0)",
                      id);
    }
    txn.commit();
  }
  std::ostringstream log_text;
  logging::Logger log("lokahid", log_text);
  RunMaintenance(sql, 7, log);

  pqxx::read_transaction txn(sql);
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
  EXPECT_NE(log_text.str().find("event=maintenance uptime_days_counted="), std::string::npos)
      << log_text.str();
  EXPECT_NE(log_text.str().find("partitions_dropped=1"), std::string::npos) << log_text.str();
}

TEST(MaintenanceTest, ForgetsOldDeliveredWebhooksButNeverAPendingOne) {
  const std::string url = testing::Services().postgres.NewDatabase();
  pqxx::connection sql(url);
  postgres::Migrate(sql, store::SchemaMigrations());
  const std::string id = CreateCheck(url);
  {
    pqxx::work txn(sql);
    // (age in days, delivery_state): old delivered, old failed, old still pending, recent.
    for (const auto& [days, state] :
         std::vector<std::pair<int, int>>{{40, 1}, {40, 2}, {40, 0}, {3, 1}}) {
      txn.exec_params(
          "INSERT INTO transitions (check_id, from_state, to_state, at, slot_ms, status_code,"
          " latency_ns, delivery_state) VALUES ($1::uuid, 1, 2, now() - make_interval(days => $2),"
          " 0, 500, 1, $3)",
          id, days, state);
    }
    txn.commit();
  }
  std::ostringstream log_text;
  logging::Logger log("lokahid", log_text);
  RunMaintenance(sql, 7, log);
  pqxx::read_transaction txn(sql);
  const auto left = txn.exec(
      "SELECT extract(day FROM now() - at)::int, delivery_state FROM transitions ORDER BY id");
  ASSERT_EQ(left.size(), 2u) << log_text.str();
  EXPECT_EQ(left[0][1].as<int>(), 0) << "an old pending webhook is still owed";
  EXPECT_EQ(left[1][0].as<int>(), 3);
  EXPECT_NE(log_text.str().find("transitions_forgotten=2"), std::string::npos) << log_text.str();
}

TEST(MaintenanceTest, ADayAlreadyInTheDefaultPartitionDoesNotStopTheOthers) {
  // As on a deployment where maintenance did not run for days: today's rows went to the default
  // partition, so today can no longer get a partition of its own.
  const std::string url = testing::Services().postgres.NewDatabase();
  pqxx::connection sql(url);
  postgres::Migrate(sql, store::SchemaMigrations());
  {
    pqxx::work txn(sql);
    txn.exec("DROP TABLE IF EXISTS results_" +
             txn.exec1("SELECT to_char(current_date, 'YYYYMMDD')")[0].as<std::string>());
    txn.exec0(
        "INSERT INTO results (check_id, due_at, probed_at, status_code, latency_ns, verdict)"
        " VALUES (gen_random_uuid(), now(), now(), 200, 1000, 0)");
    txn.commit();
  }
  std::ostringstream log_text;
  logging::Logger log("lokahid", log_text);
  RunMaintenance(sql, 7, log);
  EXPECT_EQ(log_text.str().find("maintenance_failed"), std::string::npos) << log_text.str();
  pqxx::read_transaction txn(sql);
  EXPECT_EQ(txn.exec1("SELECT count(*) FROM pg_class WHERE relname = 'results_' ||"
                      " to_char(current_date + 2, 'YYYYMMDD')")[0]
                .as<int>(),
            1)
      << "the coming days still get their partitions";
  EXPECT_EQ(txn.exec1("SELECT count(*) FROM results")[0].as<int>(), 1) << "nothing lost";
}

}  // namespace
}  // namespace lokahi::lokahid
