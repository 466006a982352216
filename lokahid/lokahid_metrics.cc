#include "lokahid/lokahid_metrics.h"

namespace lokahi::lokahid {

metrics::Histogram& RegisterDispatchLag(metrics::Registry& registry) {
  return registry.AddHistogram("lokahi_dispatch_lag_seconds",
                               "Time a slot was published minus its due time.",
                               metrics::ExponentialBuckets(0.005, 2, 12));
}

void RegisterSchedulerReadings(metrics::Registry& registry, const Scheduler& scheduler) {
  const auto& s = scheduler.stats();
  registry.AddComputedGauge("lokahi_scheduler_active",
                            "1 while this replica holds the scheduler lock.",
                            [&s] { return s.active.load() ? 1.0 : 0.0; });
  registry.AddComputedGauge("lokahi_scheduled_checks", "Checks in the active scheduler's queue.",
                            [&s] { return static_cast<double>(s.checks.load()); });
  registry.AddComputedCounter("lokahi_dispatched_slots_total", "Slots published on check.run.",
                              [&s] { return static_cast<double>(s.dispatched.load()); });
  registry.AddComputedCounter("lokahi_dispatch_batches_total", "check.run messages published.",
                              [&s] { return static_cast<double>(s.batches.load()); });
  registry.AddComputedCounter("lokahi_scheduler_skipped_slots_total",
                              "Slots the scheduler skipped (counted in skipped_slots): no "
                              "scheduler ran in time, NATS was disconnected, no healthworker "
                              "was subscribed, or a publish failed.",
                              [&s] { return static_cast<double>(s.skipped.load()); });
  registry.AddComputedCounter("lokahi_scheduler_unrouted_slots_total",
                              "Skipped slots of batches that reached no healthworker.",
                              [&s] { return static_cast<double>(s.skipped_unrouted.load()); });
  registry.AddComputedCounter("lokahi_scheduler_disconnected_slots_total",
                              "Skipped slots due while NATS was disconnected.",
                              [&s] { return static_cast<double>(s.skipped_disconnected.load()); });
  registry.AddComputedCounter("lokahi_scheduler_oversized_slots_total",
                              "Skipped slots of checks too large for one NATS message.",
                              [&s] { return static_cast<double>(s.skipped_oversized.load()); });
}

}  // namespace lokahi::lokahid
