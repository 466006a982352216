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
// rows per check per window instead of a week of results. Both sides count the same rows.

// Latency of answered probes (status_code > 0) probed since now() - $2 seconds. Variance from
// exact integer sums: (n * sum(x^2) - sum(x)^2) / n^2.
constexpr const char* kHistogramSql = R"sql(
WITH b AS (
  SELECT now() - $2::bigint * interval '1 second' AS from_at,
         greatest(lokahi_hour_ceiling(now() - $2::bigint * interval '1 second'),
                  (SELECT since FROM hourly_results_since)) AS rolled_from
), parts AS (
  SELECT h.check_id, h.answered AS n, h.latency_min_ns AS lo, h.latency_max_ns AS hi,
         h.latency_sum_ns AS s, h.latency_sum_squares AS sq, h.latency_buckets AS buckets
  FROM hourly_results h, b
  WHERE h.check_id = ANY($1::uuid[]) AND h.hour >= b.rolled_from AND h.answered > 0
  UNION ALL
  SELECT r.check_id, count(*), min(r.latency_ns), max(r.latency_ns), sum(r.latency_ns),
         sum(r.latency_ns::numeric * r.latency_ns),
         array_agg((lokahi_latency_bucket(r.latency_ns) << 32) + 1)
  FROM results r, b
  WHERE r.check_id = ANY($1::uuid[]) AND r.probed_at >= b.from_at AND r.probed_at < b.rolled_from
    AND r.status_code > 0
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

// Probes and UP probes ($2) per window: 24 h, 7 d, and 30 d from current_date - 30, whose days
// before the last one counted into daily_uptime come from there (they outlive raw results).
constexpr const char* kUptimeSql = R"sql(
WITH b AS (
  SELECT now() - interval '24 hours' AS f1, now() - interval '7 days' AS f7,
         (SELECT coalesce(max(day) + 1, current_date - 30) FROM daily_uptime_days
          WHERE day >= current_date - 30) AS raw_from_day,
         (SELECT since FROM hourly_results_since) AS since
), w AS (
  SELECT f1, f7, raw_from_day::timestamptz AS f30, raw_from_day,
         greatest(lokahi_hour_ceiling(f1), since) AS r1,
         greatest(lokahi_hour_ceiling(f7), since) AS r7,
         greatest(lokahi_hour_ceiling(raw_from_day::timestamptz), since) AS r30
  FROM b
), days AS (
  SELECT d.check_id, sum(d.probes) AS probes, sum(d.up) AS up
  FROM daily_uptime d, w
  WHERE d.check_id = ANY($1::uuid[]) AND d.day >= current_date - 30 AND d.day < w.raw_from_day
  GROUP BY 1
), hours AS (
  SELECT h.check_id,
         sum(h.probes) FILTER (WHERE h.hour >= w.r1) AS p1, sum(h.up) FILTER (WHERE h.hour >= w.r1) AS u1,
         sum(h.probes) FILTER (WHERE h.hour >= w.r7) AS p7, sum(h.up) FILTER (WHERE h.hour >= w.r7) AS u7,
         sum(h.probes) FILTER (WHERE h.hour >= w.r30) AS p30,
         sum(h.up) FILTER (WHERE h.hour >= w.r30) AS u30
  FROM hourly_results h, w
  WHERE h.check_id = ANY($1::uuid[]) AND h.hour >= least(w.r1, w.r7, w.r30)
  GROUP BY 1
), raw AS (
  SELECT 1 AS win, r.check_id, count(*) AS p, count(*) FILTER (WHERE r.verdict = $2) AS u
  FROM results r, w WHERE r.check_id = ANY($1::uuid[]) AND r.probed_at >= w.f1 AND r.probed_at < w.r1
  GROUP BY 2
  UNION ALL
  SELECT 7, r.check_id, count(*), count(*) FILTER (WHERE r.verdict = $2)
  FROM results r, w WHERE r.check_id = ANY($1::uuid[]) AND r.probed_at >= w.f7 AND r.probed_at < w.r7
  GROUP BY 2
  UNION ALL
  SELECT 30, r.check_id, count(*), count(*) FILTER (WHERE r.verdict = $2)
  FROM results r, w
  WHERE r.check_id = ANY($1::uuid[]) AND r.probed_at >= w.f30 AND r.probed_at < w.r30
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
  const auto rows =
      txn.exec_params(kUptimeSql, postgres::TextArray(ids), static_cast<int>(checks::Verdict::kUp));
  for (const auto& row : rows) {
    ratios[row[0].as<std::string>()] =
        UptimeRatios{row[1].as<double>(),  row[2].as<double>(),  row[3].as<double>(),
                     row[4].as<int64_t>(), row[5].as<int64_t>(), row[6].as<int64_t>()};
  }
  return ratios;
}

}  // namespace lokahi::store
