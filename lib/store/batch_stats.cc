#include "lib/store/batch_stats.h"

#include <algorithm>

#include "lib/postgres/pg_array.h"

namespace lokahi::store {
namespace {

// The non-empty buckets as two parallel arrays: bucket indexes and their counts.
std::pair<std::string, std::string> BucketArrays(const LogBuckets& buckets) {
  std::vector<int64_t> indexes, counts;
  for (const auto& [index, count] : buckets.buckets()) {
    indexes.push_back(index);
    counts.push_back(count);
  }
  return {postgres::IntArray(indexes), postgres::IntArray(counts)};
}

}  // namespace

BatchStats SummariseBatch(const std::vector<ProbeRecord>& batch) {
  BatchStats stats;
  for (const auto& r : batch) {
    ++stats.probes;
    if (r.applies_to_state) {
      stats.lag_us.Add(
          static_cast<double>(std::max<int64_t>(0, r.probed_unix_us - r.slot_ms * 1000)));
    }
    if (r.status_code <= 0) continue;
    stats.latency_min_ns =
        stats.answered == 0 ? r.latency_ns : std::min(stats.latency_min_ns, r.latency_ns);
    stats.latency_max_ns = std::max(stats.latency_max_ns, r.latency_ns);
    ++stats.answered;
    const double ns = static_cast<double>(r.latency_ns);
    stats.latency_sum_ns += ns;
    stats.latency_sum_squares += ns * ns;
    stats.latency_us.Add(ns / 1000.0);
  }
  return stats;
}

void InsertBatchStats(pqxx::work& txn, const BatchStats& stats) {
  if (stats.probes == 0) return;
  const auto [latency_buckets, latency_counts] = BucketArrays(stats.latency_us);
  const auto [lag_buckets, lag_counts] = BucketArrays(stats.lag_us);
  txn.exec_params(
      "INSERT INTO result_batch_stats (probes, answered, latency_min_ns, latency_max_ns,"
      " latency_sum_ns, latency_sum_squares, latency_buckets, latency_counts, lag_buckets,"
      " lag_counts) VALUES ($1, $2, $3, $4, $5, $6, $7::int[], $8::bigint[], $9::int[],"
      " $10::bigint[])",
      stats.probes, stats.answered, stats.latency_min_ns, stats.latency_max_ns,
      stats.latency_sum_ns, stats.latency_sum_squares, latency_buckets, latency_counts, lag_buckets,
      lag_counts);
}

}  // namespace lokahi::store
