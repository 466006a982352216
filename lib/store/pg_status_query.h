#pragma once
// Read-only statistics over a check's probe results: the latency histogram a webhook and the
// Status RPC carry, and uptime ratios. Read from the per-hour rollup (hourly_results) plus at most
// an hour of raw results per window: ~1 ms per check whatever the probe interval. Thread-safe;
// borrows a pool connection per call.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "lib/checks/check.h"
#include "lib/postgres/connection_pool.h"

namespace lokahi::store {

// Latency of the probes that got an HTTP answer (status_code > 0) within a window, in
// nanoseconds. All zero when there were none (samples == 0). samples, min, max, mean and stddev
// are exact; the percentiles (interpolated between ranks like percentile_cont) come from
// per-hour log buckets and are within 0.55 % of the raw results' (exact for 1 or 2 samples).
struct LatencyHistogram {
  int64_t samples = 0;
  double min_ns = 0;
  double max_ns = 0;
  double mean_ns = 0;
  double stddev_ns = 0;  // population standard deviation
  double p50_ns = 0;
  double p75_ns = 0;
  double p95_ns = 0;
  double p99_ns = 0;
};

// Fraction (0..1) of probes judged UP over each window, and how many probes it counts: a window
// without probes reads 0 with a count of 0 (no data), never to be taken for an outage.
struct UptimeRatios {
  double last_24h = 0;
  double last_7d = 0;
  double last_30d = 0;
  int64_t probes_24h = 0;
  int64_t probes_7d = 0;
  int64_t probes_30d = 0;
};

class PgStatusQuery final {
 public:
  explicit PgStatusQuery(postgres::ConnectionPool& pool) : pool_(pool) {}

  // Over results probed within `window` before now (database clock).
  LatencyHistogram HistogramFor(const checks::CheckId& check_id, std::chrono::seconds window);
  // The same for many checks in one query; keyed by CheckId::str(). Checks without results in
  // the window map to an all-zero histogram.
  std::map<std::string, LatencyHistogram> HistogramsFor(
      const std::vector<checks::CheckId>& check_ids, std::chrono::seconds window);

  UptimeRatios UptimeRatiosFor(const checks::CheckId& check_id);
  // The same for many checks in one query; keyed by CheckId::str().
  std::map<std::string, UptimeRatios> UptimeRatiosFor(
      const std::vector<checks::CheckId>& check_ids);

 private:
  postgres::ConnectionPool& pool_;
};

}  // namespace lokahi::store
