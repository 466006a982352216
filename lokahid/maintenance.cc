#include "lokahid/maintenance.h"

#include <pqxx/pqxx>

#include "lib/store/uptime_rollup.h"

namespace lokahi::lokahid {

void RunMaintenance(pqxx::connection& connection, int retention_days, logging::Logger& log) {
  pqxx::work txn(connection);
  // A void function still returns one row: exec, not exec0 (which would throw on it).
  txn.exec("SELECT lokahi_ensure_result_partitions(current_date, 3)");
  // Counted before any partition is dropped: the 30-day uptime needs each day's counts.
  const int days_counted = store::RollUpDailyUptime(txn);
  const int dropped =
      txn.exec_params1("SELECT lokahi_drop_result_partitions(current_date - $1::int)",
                       retention_days)[0]
          .as<int>();
  // Rows that landed in the default partition (clock skew, a missed day) age out row by row.
  const auto trimmed = txn.exec_params(
      "DELETE FROM results_default WHERE probed_at < now() - make_interval(days => $1::int)",
      retention_days);
  txn.exec0("DELETE FROM check_tombstones WHERE deleted_at < now() - interval '1 hour'");
  // Delivered and failed webhooks are history (lokahictl deliveries) for a month, or as long as
  // results are kept if that is longer; a pending one is never dropped.
  const auto forgotten = txn.exec_params(
      "DELETE FROM transitions WHERE delivery_state <> 0"
      " AND at < now() - make_interval(days => greatest(30, $1::int))",
      retention_days);
  // runstats reads the last hour of these.
  txn.exec0("DELETE FROM result_batch_stats WHERE written_at < now() - interval '1 day'");
  txn.commit();
  log.Info("maintenance", {{"uptime_days_counted", days_counted},
                           {"partitions_dropped", dropped},
                           {"default_rows_trimmed", static_cast<long long>(trimmed.affected_rows())},
                           {"transitions_forgotten",
                            static_cast<long long>(forgotten.affected_rows())},
                           {"retention_days", retention_days}});
}

namespace {
// Runs `call` holding check_list_blocks' EXCLUSIVE lock, or returns false if it is not free
// within a moment: creates queue behind a waiting EXCLUSIVE request.
bool WithCheckListLock(pqxx::work& txn, const char* call) {
  txn.exec("SET LOCAL lock_timeout = '200ms'");
  try {
    txn.exec(call);
  } catch (const pqxx::sql_error& e) {
    if (e.sqlstate() == "55P03") return false;  // lock_not_available
    throw;
  }
  txn.commit();
  return true;
}
}  // namespace

bool CompactCheckList(pqxx::connection& connection) {
  pqxx::work txn(connection);
  if (txn.exec("SELECT 1 FROM check_list_deltas LIMIT 1").empty()) return true;
  return WithCheckListLock(txn, "SELECT lokahi_compact_check_list()");
}

bool RebuildCheckList(pqxx::connection& connection) {
  pqxx::work txn(connection);
  return WithCheckListLock(txn, "SELECT lokahi_rebuild_check_list()");
}

}  // namespace lokahi::lokahid
