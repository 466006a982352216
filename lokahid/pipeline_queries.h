#pragma once
// Read-only views of the pipeline for the API: run statistics and a check's webhook deliveries.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lib/checks/check.h"
#include "lib/postgres/connection_pool.h"
#include "lib/store/pg_status_query.h"

namespace lokahi::lokahid {

struct PipelineStats {
  int64_t probes_last_hour = 0;
  int64_t probes_last_minute = 0;
  store::LatencyHistogram latency;
  double lag_p50_ms = 0;
  double lag_p99_ms = 0;
  int64_t checks = 0;
  int64_t skipped_last_hour = 0;
};

struct DeliveryRow {
  int64_t transition_id = 0;
  checks::State from = checks::State::kInit;
  checks::State to = checks::State::kInit;
  int64_t at_unix_us = 0;
  int delivery_state = 0;  // 0 pending, 1 delivered, 2 failed
  int attempts = 0;
  std::string last_error;
  std::optional<int64_t> delivered_unix_us;
  int last_status_code = 0;
};

// What the Status RPC shows beyond the check itself.
struct LastProbe {
  int status_code = 0;
  int64_t latency_ns = 0;
  std::optional<int64_t> probed_unix_us;
  std::string error;
  int64_t dns_ns = 0, connect_ns = 0, tls_ns = 0, first_byte_ns = 0;
  std::optional<int64_t> cert_expires_unix_us;
};

class PgPipelineQueries final {
 public:
  explicit PgPipelineQueries(postgres::ConnectionPool& pool) : pool_(pool) {}
  PipelineStats RunStats();
  std::vector<DeliveryRow> Deliveries(const checks::CheckId& id, int limit);
  LastProbe LastProbeOf(const checks::CheckId& id);

 private:
  postgres::ConnectionPool& pool_;
};

}  // namespace lokahi::lokahid
