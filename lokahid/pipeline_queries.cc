#include "lokahid/pipeline_queries.h"

#include <algorithm>
#include <cmath>
#include <pqxx/pqxx>

#include "lib/store/log_buckets.h"

namespace lokahi::lokahid {

namespace {

// Sums the sparse histograms stored in `index_column` / `count_column` over the last hour.
store::LogBuckets HourOfBuckets(pqxx::read_transaction& txn, const std::string& index_column,
                                const std::string& count_column) {
  const auto rows = txn.exec(
      "SELECT u.bucket, sum(u.count)::bigint FROM result_batch_stats,"
      " unnest(" + index_column + ", " + count_column + ") AS u(bucket, count)"
      " WHERE written_at > now() - interval '1 hour' GROUP BY u.bucket");
  store::LogBuckets buckets;
  for (const auto& row : rows) buckets.AddBucket(row[0].as<int>(), row[1].as<int64_t>());
  return buckets;
}

}  // namespace

PipelineStats PgPipelineQueries::RunStats() {
  auto connection = pool_.Acquire();
  pqxx::read_transaction txn(*connection);
  // Per-batch statistics, not raw results: an hour at full load is a few thousand rows here
  // against tens of millions of results (percentiles come from log buckets, within ~9 %).
  const auto row = txn.exec1(
      "SELECT coalesce(sum(probes), 0)::bigint,"
      " coalesce(sum(probes) FILTER (WHERE written_at > now() - interval '1 minute'), 0)::bigint,"
      " coalesce(sum(answered), 0)::bigint,"
      " coalesce(min(latency_min_ns) FILTER (WHERE answered > 0), 0),"
      " coalesce(max(latency_max_ns), 0),"
      " coalesce(sum(latency_sum_ns), 0), coalesce(sum(latency_sum_squares), 0)"
      " FROM result_batch_stats WHERE written_at > now() - interval '1 hour'");
  PipelineStats stats;
  stats.probes_last_hour = row[0].as<int64_t>();
  stats.probes_last_minute = row[1].as<int64_t>();
  auto& latency = stats.latency;
  latency.samples = row[2].as<int64_t>();
  if (latency.samples > 0) {
    latency.min_ns = row[3].as<double>();
    latency.max_ns = row[4].as<double>();
    const double n = static_cast<double>(latency.samples);
    latency.mean_ns = row[5].as<double>() / n;
    latency.stddev_ns =
        std::sqrt(std::max(0.0, row[6].as<double>() / n - latency.mean_ns * latency.mean_ns));
    const auto buckets = HourOfBuckets(txn, "latency_buckets", "latency_counts");
    // A bucket's middle can lie just outside what was seen: the exact extremes bound it.
    const auto at = [&](double q) {
      return std::clamp(buckets.Quantile(q) * 1000.0, latency.min_ns, latency.max_ns);
    };
    latency.p50_ns = at(0.5);
    latency.p75_ns = at(0.75);
    latency.p95_ns = at(0.95);
    latency.p99_ns = at(0.99);
  }
  const auto lag = HourOfBuckets(txn, "lag_buckets", "lag_counts");
  stats.lag_p50_ms = lag.Quantile(0.5) / 1000.0;
  stats.lag_p99_ms = lag.Quantile(0.99) / 1000.0;
  stats.checks = txn.exec1("SELECT count(*) FROM checks")[0].as<int64_t>();
  stats.skipped_last_hour =
      txn.exec1("SELECT coalesce(sum(count), 0) FROM skipped_slots"
                " WHERE minute > now() - interval '1 hour'")[0]
          .as<int64_t>();
  return stats;
}

std::vector<DeliveryRow> PgPipelineQueries::Deliveries(const checks::CheckId& id, int limit) {
  auto connection = pool_.Acquire();
  pqxx::read_transaction txn(*connection);
  const auto rows = txn.exec_params(
      "SELECT id, from_state, to_state, (extract(epoch FROM at) * 1000000)::bigint,"
      " delivery_state, attempts, last_error,"
      " (extract(epoch FROM delivered_at) * 1000000)::bigint, last_status_code"
      " FROM transitions WHERE check_id = $1::uuid ORDER BY id DESC LIMIT $2",
      id.str(), limit);
  std::vector<DeliveryRow> out;
  for (const auto& r : rows) {
    DeliveryRow d;
    d.transition_id = r[0].as<int64_t>();
    d.from = static_cast<checks::State>(r[1].as<int>());
    d.to = static_cast<checks::State>(r[2].as<int>());
    d.at_unix_us = r[3].as<int64_t>();
    d.delivery_state = r[4].as<int>();
    d.attempts = r[5].as<int>();
    d.last_error = r[6].as<std::string>();
    if (!r[7].is_null()) d.delivered_unix_us = r[7].as<int64_t>();
    d.last_status_code = r[8].as<int>();
    out.push_back(std::move(d));
  }
  return out;
}

LastProbe PgPipelineQueries::LastProbeOf(const checks::CheckId& id) {
  auto connection = pool_.Acquire();
  pqxx::read_transaction txn(*connection);
  const auto rows = txn.exec_params(
      "SELECT status_code, latency_ns, (extract(epoch FROM probed_at) * 1000000)::bigint, error,"
      " dns_ns, connect_ns, tls_ns, first_byte_ns,"
      " (extract(epoch FROM cert_expires_at) * 1000000)::bigint"
      " FROM results WHERE check_id = $1::uuid AND probed_at > now() - interval '30 days'"
      " ORDER BY probed_at DESC LIMIT 1",
      id.str());
  LastProbe probe;
  if (rows.empty()) return probe;
  const auto& r = rows[0];
  probe.status_code = r[0].as<int>();
  probe.latency_ns = r[1].as<int64_t>();
  probe.probed_unix_us = r[2].as<int64_t>();
  probe.error = r[3].as<std::string>();
  probe.dns_ns = r[4].as<int64_t>();
  probe.connect_ns = r[5].as<int64_t>();
  probe.tls_ns = r[6].as<int64_t>();
  probe.first_byte_ns = r[7].as<int64_t>();
  if (!r[8].is_null()) probe.cert_expires_unix_us = r[8].as<int64_t>();
  return probe;
}

}  // namespace lokahi::lokahid
