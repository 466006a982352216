#include "lib/store/pg_status_query.h"

#include <algorithm>
#include <cmath>
#include <pqxx/pqxx>
#include <utility>

#include "lib/checks/state_machine.h"
#include "lib/postgres/pg_array.h"

namespace lokahi::store {
namespace {

// Windows are read from hourly_results (migration 107, kept by a trigger on results in the
// transaction that writes them) for the whole hours they hold, and from raw results only for the
// part of an hour at a window's start (and any hours before hourly_results_since): a few dozen
// rows per check per window instead of a week of results. Both sides count the same rows: those
// no maintenance window covered (migration 130's trigger leaves them out of hourly_results).

// The start of a window of $1 seconds before now, and where its whole hours in hourly_results
// begin. Read before the statements that use them, so the planner sees them: it keeps only the
// result partitions and index ranges they name.
constexpr const char* kWindowSql = R"sql(
SELECT now() - $1::bigint * interval '1 second',
       greatest(lokahi_hour_ceiling(now() - $1::bigint * interval '1 second'),
                (SELECT since FROM hourly_results_since))
)sql";

// Latency of answered probes (status_code > 0) probed since $2, whole hours from $3. Variance from
// exact integer sums: (n * sum(x^2) - sum(x)^2) / n^2.
constexpr const char* kHistogramSql = R"sql(
WITH parts AS (
  SELECT h.check_id, h.answered AS n, h.latency_min_ns AS lo, h.latency_max_ns AS hi,
         h.latency_sum_ns AS s, h.latency_sum_squares AS sq, h.latency_buckets AS buckets
  FROM hourly_results h
  WHERE h.check_id = ANY($1::uuid[]) AND h.hour >= $3::timestamptz AND h.answered > 0
  UNION ALL
  SELECT r.check_id, count(*), min(r.latency_ns), max(r.latency_ns), sum(r.latency_ns),
         sum(r.latency_ns::numeric * r.latency_ns),
         array_agg((lokahi_latency_bucket(r.latency_ns) << 32) + 1)
  FROM results r
  WHERE r.check_id = ANY($1::uuid[]) AND r.probed_at >= $2::timestamptz
    AND r.probed_at < $3::timestamptz
    AND r.status_code > 0 AND NOT lokahi_in_maintenance(r.check_id, r.probed_at)
  GROUP BY r.check_id
), merged AS (
  SELECT check_id, e >> 32 AS k, sum(e & 4294967295)::bigint AS c
  FROM parts, unnest(parts.buckets) AS e GROUP BY 1, 2
), bucketed AS (
  SELECT check_id, array_agg((k << 32) + c ORDER BY k) AS buckets FROM merged GROUP BY 1
), stats AS (
  SELECT check_id, sum(n) AS n, min(lo) AS lo, max(hi) AS hi, sum(s) AS s, sum(sq) AS sq
  FROM parts GROUP BY 1
)
SELECT s.check_id::text, s.n::bigint, s.lo::float8, s.hi::float8, (s.s / s.n)::float8,
       sqrt(greatest(s.n * s.sq - s.s * s.s, 0) / (s.n * s.n))::float8, bk.buckets::text
FROM stats s JOIN bucketed bk USING (check_id)
)sql";

// Probes (INCONCLUSIVE ones, verdict 3, never count) and UP probes ($2) per window: 24 h, 7 d, and
// 30 d from current_date - 30, whose days before the last one counted into daily_uptime come from
// there (they outlive raw results). The uptime windows' bounds, as kWindowSql's for 24 h and 7 d,
// and the first day whose probes daily_uptime does not count yet with its start.
constexpr const char* kUptimeWindowsSql = R"sql(
WITH b AS (
  SELECT (SELECT coalesce(max(day) + 1, current_date - 30) FROM daily_uptime_days
          WHERE day >= current_date - 30) AS raw_from_day,
         (SELECT since FROM hourly_results_since) AS since
)
SELECT now() - interval '24 hours', greatest(lokahi_hour_ceiling(now() - interval '24 hours'), since),
       now() - interval '7 days', greatest(lokahi_hour_ceiling(now() - interval '7 days'), since),
       raw_from_day, raw_from_day::timestamptz,
       greatest(lokahi_hour_ceiling(raw_from_day::timestamptz), since), current_date - 30
FROM b
)sql";

// $3/$4: 24 h from / whole hours from; $5/$6 the same for 7 d; $7 the first day not in
// daily_uptime, $8/$9 its start / whole hours from; $10 the 30-day window's first day.
constexpr const char* kUptimeSql = R"sql(
WITH days AS (
  SELECT d.check_id, sum(d.probes) AS probes, sum(d.up) AS up
  FROM daily_uptime d
  WHERE d.check_id = ANY($1::uuid[]) AND d.day >= $10::date AND d.day < $7::date
  GROUP BY 1
), hours AS (
  SELECT h.check_id,
         sum(h.probes) FILTER (WHERE h.hour >= $4::timestamptz) AS p1, sum(h.up) FILTER (WHERE h.hour >= $4::timestamptz) AS u1,
         sum(h.probes) FILTER (WHERE h.hour >= $6::timestamptz) AS p7, sum(h.up) FILTER (WHERE h.hour >= $6::timestamptz) AS u7,
         sum(h.probes) FILTER (WHERE h.hour >= $9::timestamptz) AS p30,
         sum(h.up) FILTER (WHERE h.hour >= $9::timestamptz) AS u30
  FROM hourly_results h
  WHERE h.check_id = ANY($1::uuid[]) AND h.hour >= least($4::timestamptz, $6::timestamptz, $9::timestamptz)
  GROUP BY 1
), raw AS (
  SELECT 1 AS win, r.check_id, count(*) FILTER (WHERE r.verdict <> 3) AS p, count(*) FILTER (WHERE r.verdict = $2) AS u
  FROM results r WHERE r.check_id = ANY($1::uuid[]) AND r.probed_at >= $3::timestamptz AND r.probed_at < $4::timestamptz
    AND NOT lokahi_in_maintenance(r.check_id, r.probed_at)
  GROUP BY 2
  UNION ALL
  SELECT 7, r.check_id, count(*) FILTER (WHERE r.verdict <> 3), count(*) FILTER (WHERE r.verdict = $2)
  FROM results r WHERE r.check_id = ANY($1::uuid[]) AND r.probed_at >= $5::timestamptz AND r.probed_at < $6::timestamptz
    AND NOT lokahi_in_maintenance(r.check_id, r.probed_at)
  GROUP BY 2
  UNION ALL
  SELECT 30, r.check_id, count(*) FILTER (WHERE r.verdict <> 3), count(*) FILTER (WHERE r.verdict = $2)
  FROM results r
  WHERE r.check_id = ANY($1::uuid[]) AND r.probed_at >= $8::timestamptz AND r.probed_at < $9::timestamptz
    AND NOT lokahi_in_maintenance(r.check_id, r.probed_at)
  GROUP BY 2
), edges AS (
  SELECT check_id, sum(p) FILTER (WHERE win = 1) AS p1, sum(u) FILTER (WHERE win = 1) AS u1,
         sum(p) FILTER (WHERE win = 7) AS p7, sum(u) FILTER (WHERE win = 7) AS u7,
         sum(p) FILTER (WHERE win = 30) AS p30, sum(u) FILTER (WHERE win = 30) AS u30
  FROM raw GROUP BY 1
), counts AS (
  SELECT ids.check_id,
         coalesce(hours.p1, 0) + coalesce(edges.p1, 0) AS probes_24h,
         coalesce(hours.u1, 0) + coalesce(edges.u1, 0) AS up_24h,
         coalesce(hours.p7, 0) + coalesce(edges.p7, 0) AS probes_7d,
         coalesce(hours.u7, 0) + coalesce(edges.u7, 0) AS up_7d,
         coalesce(hours.p30, 0) + coalesce(edges.p30, 0) + coalesce(days.probes, 0) AS probes_30d,
         coalesce(hours.u30, 0) + coalesce(edges.u30, 0) + coalesce(days.up, 0) AS up_30d
  FROM unnest($1::uuid[]) AS ids(check_id)
  LEFT JOIN hours ON hours.check_id = ids.check_id
  LEFT JOIN edges ON edges.check_id = ids.check_id
  LEFT JOIN days ON days.check_id = ids.check_id
)
SELECT check_id::text, coalesce(up_24h::float8 / nullif(probes_24h, 0), 0),
       coalesce(up_7d::float8 / nullif(probes_7d, 0), 0),
       coalesce(up_30d::float8 / nullif(probes_30d, 0), 0), probes_24h::bigint,
       probes_7d::bigint, probes_30d::bigint
FROM counts
)sql";

// One snapshot for the bounds and the statement that uses them.
using ReadTransaction = pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>;

// The latency (ns) bucket k of lokahi_latency_bucket reads as: its geometric middle.
double BucketMiddleNs(int64_t k) { return k <= 0 ? 0 : std::exp2((k - 0.5) / 64.0); }

LatencyHistogram HistogramFromRow(const pqxx::row& row) {
  LatencyHistogram h;
  h.samples = row[1].as<int64_t>();
  h.min_ns = row[2].as<double>();
  h.max_ns = row[3].as<double>();
  h.mean_ns = row[4].as<double>();
  h.stddev_ns = row[5].as<double>();
  // A bigint[] literal such as {274877906945,...}: bucket << 32 | count, by bucket.
  std::vector<std::pair<int64_t, int64_t>> buckets;  // bucket, cumulative count
  const std::string text = row[6].as<std::string>();
  int64_t seen = 0;
  for (size_t position = 1; position < text.size();) {
    size_t used = 0;
    const int64_t entry = std::stoll(text.substr(position), &used);
    seen += entry & 0xffffffffLL;
    buckets.emplace_back(entry >> 32, seen);
    position += used + 1;  // past the ',' or '}'
  }
  // The k-th smallest latency (0-based): exact at the ends, else its bucket's middle, which is
  // within 0.55 % of it.
  const auto order_statistic = [&](int64_t k) {
    if (k <= 0) return h.min_ns;
    if (k >= h.samples - 1) return h.max_ns;
    for (const auto& [bucket, cumulative] : buckets) {
      if (cumulative > k) return std::clamp(BucketMiddleNs(bucket), h.min_ns, h.max_ns);
    }
    return h.max_ns;
  };
  // Interpolated between neighbouring ranks like percentile_cont.
  const std::pair<double, double*> targets[] = {
      {0.5, &h.p50_ns}, {0.75, &h.p75_ns}, {0.95, &h.p95_ns}, {0.99, &h.p99_ns}};
  for (const auto& [q, target] : targets) {
    const double rank = q * static_cast<double>(h.samples - 1);
    const auto below = static_cast<int64_t>(std::floor(rank));
    const double low = order_statistic(below);
    *target = low + (rank - static_cast<double>(below)) * (order_statistic(below + 1) - low);
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
  ReadTransaction txn(*connection);
  const auto window_bounds = txn.exec_params1(kWindowSql, static_cast<int64_t>(window.count()));
  const auto rows = txn.exec_params(kHistogramSql, postgres::TextArray(ids),
                                    window_bounds[0].c_str(), window_bounds[1].c_str());
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
  ReadTransaction txn(*connection);
  const auto w = txn.exec1(kUptimeWindowsSql);
  const auto rows =
      txn.exec_params(kUptimeSql, postgres::TextArray(ids), static_cast<int>(checks::Verdict::kUp),
                      w[0].c_str(), w[1].c_str(), w[2].c_str(), w[3].c_str(), w[4].c_str(),
                      w[5].c_str(), w[6].c_str(), w[7].c_str());
  for (const auto& row : rows) {
    ratios[row[0].as<std::string>()] =
        UptimeRatios{row[1].as<double>(),  row[2].as<double>(),  row[3].as<double>(),
                     row[4].as<int64_t>(), row[5].as<int64_t>(), row[6].as<int64_t>()};
  }
  return ratios;
}

}  // namespace lokahi::store
