#pragma once
// lokahid's /metrics series: the scheduler's work, read from its statistics at scrape time.

#include "lib/metrics/registry.h"
#include "lokahid/scheduler.h"

namespace lokahi::lokahid {

metrics::Histogram& RegisterDispatchLag(metrics::Registry& registry);
void RegisterSchedulerReadings(metrics::Registry& registry, const Scheduler& scheduler);

}  // namespace lokahi::lokahid
