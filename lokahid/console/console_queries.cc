#include "lokahid/console/console_queries.h"

#include <algorithm>
#include <pqxx/pqxx>

namespace lokahi::lokahid {

namespace {
checks::State StateOf(int value) { return static_cast<checks::State>(value); }

// Finished days come from daily_uptime (kept 100 days); the days not counted
// there yet (today, and yesterday in its first minutes) from hourly_results.
constexpr const char* kDailyUptimeSql = R"sql(
WITH counted AS (SELECT coalesce(max(day), '1970-01-01'::date) AS last FROM daily_uptime_days),
     bounds AS (SELECT (now() AT TIME ZONE 'UTC')::date - ($2::int - 1) AS first)
SELECT d.check_id::text, d.day::text, d.probes, d.up,
       (now() AT TIME ZONE 'UTC')::date - d.day
FROM daily_uptime d, counted, bounds
WHERE d.check_id = ANY($1::uuid[]) AND d.day >= bounds.first AND d.day <= counted.last
UNION ALL
SELECT h.check_id::text, (h.hour AT TIME ZONE 'UTC')::date::text, sum(h.probes)::bigint,
       sum(h.up)::bigint, (now() AT TIME ZONE 'UTC')::date - (h.hour AT TIME ZONE 'UTC')::date
FROM hourly_results h, counted, bounds
WHERE h.check_id = ANY($1::uuid[])
  AND h.hour >= (greatest(counted.last + 1, bounds.first)::timestamp AT TIME ZONE 'UTC')
GROUP BY 1, 2, 5
ORDER BY 1, 2
)sql";

std::string UuidArray(const std::vector<std::string>& ids) {
  std::string out = "{";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) out += ',';
    out += ids[i];  // CheckId-validated by callers: hex and dashes only
  }
  return out + "}";
}
}  // namespace

StateCounts PgConsoleQueries::CountByState() {
  auto connection = pool_.Acquire();
  pqxx::read_transaction txn(*connection);
  // The checks not UP are few and indexed (migration 142); the total is check_list_blocks' (kept
  // exact by triggers, read in the same snapshot), so a million UP checks are never scanned.
  const auto row = txn.exec1(
      "SELECT (SELECT coalesce(sum(checks), 0) FROM check_list_blocks)"
      "     + (SELECT coalesce(sum(checks), 0) FROM check_list_deltas),"
      " count(*) FILTER (WHERE state = 0), count(*) FILTER (WHERE state = 2),"
      " count(*) FILTER (WHERE state = 3)"
      " FROM check_states WHERE state <> 1");
  StateCounts counts;
  counts.init = row[1].as<int64_t>();
  counts.down = row[2].as<int64_t>();
  counts.error = row[3].as<int64_t>();
  counts.up = std::max<int64_t>(0, row[0].as<int64_t>() - counts.init - counts.down - counts.error);
  return counts;
}

std::vector<FailingCheck> PgConsoleQueries::FailingNow(int limit) {
  auto connection = pool_.Acquire();
  pqxx::read_transaction txn(*connection);
  std::vector<FailingCheck> out;
  for (const auto& row : txn.exec_params(
           "SELECT s.check_id::text, CASE WHEN c.name <> '' THEN c.name ELSE c.url END, s.state,"
           " coalesce(extract(epoch FROM s.state_changed_at), 0)::bigint, NOT c.enabled,"
           " coalesce((SELECT string_agg(key || '=' || value, ', ' ORDER BY key)"
           "           FROM jsonb_each_text(c.labels)), '')"
           " FROM check_states s JOIN checks c ON c.id = s.check_id"
           " WHERE s.state IN (2, 3) ORDER BY s.state_changed_at NULLS FIRST, "
           "s.check_id"
           " LIMIT $1",
           limit)) {
    out.push_back({row[0].as<std::string>(), row[1].as<std::string>(), StateOf(row[2].as<int>()),
                   row[3].as<int64_t>(), row[4].as<bool>(), row[5].as<std::string>()});
  }
  return out;
}

std::vector<RecentTransition> PgConsoleQueries::RecentTransitions(int limit) {
  auto connection = pool_.Acquire();
  pqxx::read_transaction txn(*connection);
  std::vector<RecentTransition> out;
  for (const auto& row :
       txn.exec_params("SELECT t.check_id::text, CASE WHEN c.name <> '' THEN c.name ELSE c.url END,"
                       " t.from_state, t.to_state,"
                       " extract(epoch FROM t.at)::bigint"
                       " FROM transitions t JOIN checks c ON c.id = t.check_id ORDER BY "
                       "t.id DESC LIMIT $1",
                       limit)) {
    out.push_back({row[0].as<std::string>(), row[1].as<std::string>(), StateOf(row[2].as<int>()),
                   StateOf(row[3].as<int>()), row[4].as<int64_t>()});
  }
  return out;
}

std::vector<DayUptime> PgConsoleQueries::DailyUptime(const std::string& check_id, int days) {
  auto all = DailyUptime(std::vector<std::string>{check_id}, days);
  return std::move(all[check_id]);
}

std::map<std::string, std::vector<DayUptime>> PgConsoleQueries::DailyUptime(
    const std::vector<std::string>& ids, int days) {
  std::map<std::string, std::vector<DayUptime>> out;
  if (ids.empty()) return out;
  auto connection = pool_.Acquire();
  pqxx::read_transaction txn(*connection);
  for (const auto& row : txn.exec_params(kDailyUptimeSql, UuidArray(ids), days)) {
    out[row[0].as<std::string>()].push_back(
        {row[1].as<std::string>(), row[2].as<int64_t>(), row[3].as<int64_t>(), row[4].as<int>()});
  }
  return out;
}

std::vector<LatencyPoint> PgConsoleQueries::LatencySeries(const std::string& check_id,
                                                          std::chrono::seconds window,
                                                          std::chrono::seconds step) {
  auto connection = pool_.Acquire();
  pqxx::read_transaction txn(*connection);
  std::vector<LatencyPoint> out;
  for (const auto& row : txn.exec_params(
           "SELECT (floor(extract(epoch FROM probed_at) / $3) * $3)::bigint AS "
           "t,"
           " percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ns) / 1e6,"
           " percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ns) / 1e6,"
           " avg(dns_ns) / 1e6, avg(connect_ns) / 1e6, avg(tls_ns) / 1e6,"
           " avg(first_byte_ns) / 1e6"
           " FROM results WHERE check_id = $1::uuid AND status_code > 0"
           " AND probed_at > now() - make_interval(secs => $2)"
           " GROUP BY 1 ORDER BY 1",
           check_id, static_cast<double>(window.count()), static_cast<double>(step.count()))) {
    out.push_back({row[0].as<int64_t>(), row[1].as<double>(), row[2].as<double>(),
                   row[3].as<double>(), row[4].as<double>(), row[5].as<double>(),
                   row[6].as<double>()});
  }
  return out;
}

}  // namespace lokahi::lokahid
