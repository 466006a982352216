#include "lokahid/pipeline_queries.h"

#include <pqxx/pqxx>

namespace lokahi::lokahid {

PipelineStats PgPipelineQueries::RunStats() {
  auto connection = pool_.Acquire();
  pqxx::read_transaction txn(*connection);
  const auto row = txn.exec1(
      "SELECT count(*),"
      " count(*) FILTER (WHERE probed_at > now() - interval '1 minute'),"
      " count(*) FILTER (WHERE status_code > 0),"
      " coalesce(min(latency_ns) FILTER (WHERE status_code > 0), 0),"
      " coalesce(max(latency_ns) FILTER (WHERE status_code > 0), 0),"
      " coalesce(avg(latency_ns) FILTER (WHERE status_code > 0), 0),"
      " coalesce(stddev_pop(latency_ns) FILTER (WHERE status_code > 0), 0),"
      " coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ns)"
      "   FILTER (WHERE status_code > 0), 0),"
      " coalesce(percentile_cont(0.75) WITHIN GROUP (ORDER BY latency_ns)"
      "   FILTER (WHERE status_code > 0), 0),"
      " coalesce(percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ns)"
      "   FILTER (WHERE status_code > 0), 0),"
      " coalesce(percentile_cont(0.99) WITHIN GROUP (ORDER BY latency_ns)"
      "   FILTER (WHERE status_code > 0), 0),"
      " coalesce(percentile_cont(0.5) WITHIN GROUP"
      "   (ORDER BY extract(epoch FROM probed_at - due_at) * 1000), 0),"
      " coalesce(percentile_cont(0.99) WITHIN GROUP"
      "   (ORDER BY extract(epoch FROM probed_at - due_at) * 1000), 0)"
      " FROM results WHERE probed_at > now() - interval '1 hour'");
  PipelineStats stats;
  stats.probes_last_hour = row[0].as<int64_t>();
  stats.probes_last_minute = row[1].as<int64_t>();
  stats.latency.samples = row[2].as<int64_t>();
  stats.latency.min_ns = row[3].as<double>();
  stats.latency.max_ns = row[4].as<double>();
  stats.latency.mean_ns = row[5].as<double>();
  stats.latency.stddev_ns = row[6].as<double>();
  stats.latency.p50_ns = row[7].as<double>();
  stats.latency.p75_ns = row[8].as<double>();
  stats.latency.p95_ns = row[9].as<double>();
  stats.latency.p99_ns = row[10].as<double>();
  stats.lag_p50_ms = row[11].as<double>();
  stats.lag_p99_ms = row[12].as<double>();
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
