#include "lib/store/pg_status_query.h"

#include <pqxx/pqxx>

#include "lib/checks/state_machine.h"
#include "lib/postgres/pg_array.h"

namespace lokahi::store {
namespace {

// Uses the (check_id, probed_at) index; percentiles interpolate like lokahi's histogram.
constexpr const char* kHistogramSql = R"sql(
SELECT check_id::text, count(*), min(latency_ns)::float8, max(latency_ns)::float8,
       avg(latency_ns)::float8, coalesce(stddev_pop(latency_ns), 0)::float8,
       percentile_cont(ARRAY[0.5, 0.75, 0.95, 0.99]) WITHIN GROUP (ORDER BY latency_ns)
FROM results
WHERE check_id = ANY($1::uuid[]) AND probed_at >= now() - $2::bigint * interval '1 second'
  AND status_code > 0
GROUP BY check_id
)sql";

LatencyHistogram HistogramFromRow(const pqxx::row& row) {
  LatencyHistogram h;
  h.samples = row[1].as<int64_t>();
  h.min_ns = row[2].as<double>();
  h.max_ns = row[3].as<double>();
  h.mean_ns = row[4].as<double>();
  h.stddev_ns = row[5].as<double>();
  // A float8[] literal such as {1.5,2,3,4}; parsed here rather than with pqxx's array parser,
  // whose 6.x interface is awkward for a fixed-size numeric array.
  const std::string percentiles = row[6].as<std::string>();
  double* targets[] = {&h.p50_ns, &h.p75_ns, &h.p95_ns, &h.p99_ns};
  size_t position = 1;  // past '{'
  for (double* target : targets) {
    size_t used = 0;
    *target = std::stod(percentiles.substr(position), &used);
    position += used + 1;  // past the ',' or '}'
  }
  return h;
}

}  // namespace

std::map<std::string, LatencyHistogram> PgStatusQuery::HistogramsFor(
    const std::vector<checks::CheckId>& check_ids, std::chrono::seconds window) {
  std::map<std::string, LatencyHistogram> histograms;
  if (check_ids.empty()) return histograms;
  std::vector<std::string> ids;
  ids.reserve(check_ids.size());
  for (const auto& id : check_ids) {
    ids.push_back(id.str());
    histograms[id.str()] = LatencyHistogram{};
  }
  auto connection = pool_.Acquire();
  pqxx::read_transaction txn(*connection);
  const auto rows = txn.exec_params(kHistogramSql, postgres::TextArray(ids),
                                    static_cast<int64_t>(window.count()));
  for (const auto& row : rows) histograms[row[0].as<std::string>()] = HistogramFromRow(row);
  return histograms;
}

LatencyHistogram PgStatusQuery::HistogramFor(const checks::CheckId& check_id,
                                             std::chrono::seconds window) {
  return HistogramsFor({check_id}, window).at(check_id.str());
}

UptimeRatios PgStatusQuery::UptimeRatiosFor(const checks::CheckId& check_id) {
  return UptimeRatiosFor(std::vector<checks::CheckId>{check_id}).at(check_id.str());
}

std::map<std::string, UptimeRatios> PgStatusQuery::UptimeRatiosFor(
    const std::vector<checks::CheckId>& check_ids) {
  std::map<std::string, UptimeRatios> ratios;
  if (check_ids.empty()) return ratios;
  std::vector<std::string> ids;
  ids.reserve(check_ids.size());
  for (const auto& id : check_ids) {
    ids.push_back(id.str());
    ratios[id.str()] = UptimeRatios{};
  }
  auto connection = pool_.Acquire();
  pqxx::read_transaction txn(*connection);
  // 24 h and 7 d come from raw results. 30 d adds the per-day counts (daily_uptime) of the days
  // already counted to the raw results after the last of them, so it holds past retention.
  const auto rows = txn.exec_params(
      R"sql(
WITH boundary AS (
  SELECT coalesce(max(day) + 1, current_date - 30) AS raw_from_day
  FROM daily_uptime_days WHERE day >= current_date - 30
), rolled AS (
  SELECT check_id, sum(probes) AS probes, sum(up) AS up
  FROM daily_uptime
  WHERE check_id = ANY($1::uuid[]) AND day >= current_date - 30
    AND day < (SELECT raw_from_day FROM boundary)
  GROUP BY check_id
), raw AS (
  SELECT check_id,
         count(*) FILTER (WHERE probed_at >= now() - interval '24 hours') AS probes_24h,
         count(*) FILTER (WHERE probed_at >= now() - interval '24 hours' AND verdict = $2) AS up_24h,
         count(*) FILTER (WHERE probed_at >= now() - interval '7 days') AS probes_7d,
         count(*) FILTER (WHERE probed_at >= now() - interval '7 days' AND verdict = $2) AS up_7d,
         count(*) FILTER (WHERE probed_at >= (SELECT raw_from_day FROM boundary)) AS probes_30d,
         count(*) FILTER (WHERE probed_at >= (SELECT raw_from_day FROM boundary)
                            AND verdict = $2) AS up_30d
  FROM results
  WHERE check_id = ANY($1::uuid[])
    AND probed_at >= least(now() - interval '7 days', (SELECT raw_from_day FROM boundary))
  GROUP BY check_id
), counts AS (
  SELECT ids.check_id, coalesce(raw.probes_24h, 0) AS probes_24h, coalesce(raw.up_24h, 0) AS up_24h,
         coalesce(raw.probes_7d, 0) AS probes_7d, coalesce(raw.up_7d, 0) AS up_7d,
         coalesce(raw.probes_30d, 0) + coalesce(rolled.probes, 0) AS probes_30d,
         coalesce(raw.up_30d, 0) + coalesce(rolled.up, 0) AS up_30d
  FROM unnest($1::uuid[]) AS ids(check_id)
  LEFT JOIN raw ON raw.check_id = ids.check_id
  LEFT JOIN rolled ON rolled.check_id = ids.check_id
)
SELECT check_id::text, coalesce(up_24h::float8 / nullif(probes_24h, 0), 0),
       coalesce(up_7d::float8 / nullif(probes_7d, 0), 0),
       coalesce(up_30d::float8 / nullif(probes_30d, 0), 0), probes_24h, probes_7d, probes_30d
FROM counts
)sql",
      postgres::TextArray(ids), static_cast<int>(checks::Verdict::kUp));
  for (const auto& row : rows) {
    ratios[row[0].as<std::string>()] =
        UptimeRatios{row[1].as<double>(),  row[2].as<double>(),  row[3].as<double>(),
                     row[4].as<int64_t>(), row[5].as<int64_t>(), row[6].as<int64_t>()};
  }
  return ratios;
}

}  // namespace lokahi::store
