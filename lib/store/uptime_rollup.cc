#include "lib/store/uptime_rollup.h"

#include "lib/checks/state_machine.h"

namespace lokahi::store {

int RollUpDailyUptime(pqxx::work& txn) {
  const auto days = txn.exec(
      "SELECT d::date::text FROM generate_series(current_date - 31, current_date - 1,"
      " interval '1 day') AS d"
      " WHERE d::date + 1 + interval '10 minutes' <= now()"
      "   AND NOT EXISTS (SELECT 1 FROM daily_uptime_days u WHERE u.day = d::date)"
      " ORDER BY d");
  for (const auto& row : days) {
    const std::string day = row[0].as<std::string>();
    txn.exec_params(
        "INSERT INTO daily_uptime (check_id, day, probes, up)"
        " SELECT check_id, $1::date, count(*) FILTER (WHERE verdict <> $3),"
        "   count(*) FILTER (WHERE verdict = $2)"
        " FROM results WHERE probed_at >= $1::date AND probed_at < $1::date + 1"
        // As hourly_results: time in maintenance is left out of uptime.
        "   AND NOT EXISTS (SELECT 1 FROM maintenance_periods p"
        "     JOIN maintenance_windows w ON w.id = p.window_id"
        "     WHERE p.starts_at <= results.probed_at AND results.probed_at < p.ends_at"
        "       AND lokahi_window_selects(w.check_ids, w.selector_json, results.check_id))"
        " GROUP BY check_id"
        " ON CONFLICT (check_id, day) DO UPDATE SET probes = excluded.probes, up = excluded.up",
        day, static_cast<int>(checks::Verdict::kUp),
        static_cast<int>(checks::Verdict::kInconclusive));
    txn.exec_params("INSERT INTO daily_uptime_days (day) VALUES ($1::date) ON CONFLICT DO NOTHING",
                    day);
  }
  // 100 days: the status page and the console draw 90 daily bars.
  txn.exec0("DELETE FROM daily_uptime WHERE day < current_date - 100");
  txn.exec0("DELETE FROM daily_uptime_days WHERE day < current_date - 100");
  // Published checks' finished hours for the status page (migration 144).
  txn.exec("SELECT lokahi_refresh_uptime_hours()");
  // uptime_bars (migration 143) follows daily_uptime by trigger; rows of deleted checks go here.
  txn.exec0(
      "DELETE FROM uptime_bars b WHERE NOT EXISTS (SELECT 1 FROM checks c WHERE c.id = "
      "b.check_id)");
  txn.exec0("DELETE FROM hourly_results WHERE hour < now() - interval '40 days'");
  return static_cast<int>(days.size());
}

}  // namespace lokahi::store
