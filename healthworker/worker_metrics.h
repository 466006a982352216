#pragma once
// The healthworker's /metrics series.

#include "healthworker/confirmer.h"
#include "healthworker/probe_dispatcher.h"
#include "healthworker/result_batcher.h"
#include "healthworker/vantage_monitor.h"
#include "lib/metrics/readiness.h"
#include "lib/metrics/registry.h"

namespace lokahi::healthworker {

struct WorkerHistograms {
  metrics::Histogram* probe_latency_seconds;
  metrics::Histogram* schedule_lag_seconds;
  metrics::Histogram* batch_rows;
  metrics::Histogram* batch_write_seconds;
};

// Registered before the dispatcher and batcher exist: they observe into these.
WorkerHistograms RegisterWorkerHistograms(metrics::Registry& registry);
// Counters and gauges read from the components' own statistics at scrape time.
void RegisterWorkerReadings(metrics::Registry& registry, const ProbeDispatcher& dispatcher,
                            const ResultBatcher& batcher);

// lokahi_vantage_* series: the worker's judgement of its own network path.
void RegisterVantageReadings(metrics::Registry& registry, const VantageMonitor& vantage,
                             const ProbeDispatcher& dispatcher);
// lokahi_confirmations_total{outcome}: failures re-probed by another worker before alerting.
void RegisterConfirmerReadings(metrics::Registry& registry, const Confirmer& confirmer);
// Not ready while the vantage is impaired: the worker takes no work then, and says why.
metrics::ReadinessCheck VantageReadiness(const VantageMonitor& vantage);

// Not ready while the oldest result not yet written has waited longer than `max_age`: results
// that cannot be recorded make the worker useless even when Postgres answers `SELECT 1`.
metrics::ReadinessCheck WriteBacklogReadiness(const ResultBatcher& batcher,
                                              std::chrono::milliseconds max_age);

}  // namespace lokahi::healthworker
