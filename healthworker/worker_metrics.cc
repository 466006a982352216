#include "healthworker/worker_metrics.h"

namespace lokahi::healthworker {

namespace {
// A counter read from one of the components' atomics at scrape time.
void AddCounter(metrics::Registry& registry, const char* name, const char* help,
                const std::atomic<long long>& value, const metrics::Labels& labels) {
  registry.AddComputedCounter(
      name, help, [&value] { return static_cast<double>(value.load()); }, labels);
}
}  // namespace

WorkerHistograms RegisterWorkerHistograms(metrics::Registry& registry) {
  return {
      &registry.AddHistogram("lokahi_probe_latency_seconds",
                             "Total time of probes that got an HTTP answer.",
                             metrics::ExponentialBuckets(0.0005, 2, 16)),
      &registry.AddHistogram("lokahi_schedule_lag_seconds",
                             "Probe start minus the slot's due time.",
                             metrics::ExponentialBuckets(0.01, 2, 12)),
      &registry.AddHistogram("lokahi_result_batch_rows", "Probe results per committed batch.",
                             metrics::ExponentialBuckets(1, 4, 9)),
      &registry.AddHistogram("lokahi_result_batch_write_seconds",
                             "Time to commit one batch of results and state changes.",
                             metrics::ExponentialBuckets(0.001, 2, 14)),
  };
}

void RegisterWorkerReadings(metrics::Registry& registry, const ProbeDispatcher& dispatcher,
                            const ResultBatcher& batcher) {
  const auto& d = dispatcher.stats();
  const auto& b = batcher.stats();
  const auto counter = [&registry](const char* name, const char* help,
                                   const std::atomic<long long>& value,
                                   const metrics::Labels& labels = {}) {
    AddCounter(registry, name, help, value, labels);
  };
  const char* kProbes = "Probes finished, by what they found.";
  counter("lokahi_probes_total", kProbes, d.probes_up, {{"outcome", "up"}});
  counter("lokahi_probes_total", kProbes, d.probes_down, {{"outcome", "down"}});
  counter("lokahi_probes_total", kProbes, d.probes_error, {{"outcome", "error"}});
  const char* kSkipped = "Slots not probed, by why.";
  counter("lokahi_skipped_slots_total", kSkipped, d.skipped_stale, {{"reason", "stale"}});
  counter("lokahi_skipped_slots_total", kSkipped, d.skipped_overload, {{"reason", "overload"}});
  counter("lokahi_run_batches_received_total", "check.run messages received.", d.batches_received);
  const char* kRefused = "Check specs and messages from NATS refused where decoded, by what.";
  counter("lokahi_nats_refused_total", kRefused, d.invalid_specs, {{"what", "spec"}});
  counter("lokahi_nats_refused_total", kRefused, d.invalid_messages, {{"what", "message"}});
  counter("lokahi_results_written_total", "Probe results committed to Postgres.", b.written);
  counter("lokahi_result_write_failures_total", "Result batches that failed and were retried.",
          b.write_failures);
  counter("lokahi_results_dropped_total", "Results dropped because the buffer was full.",
          b.dropped);
  counter("lokahi_results_rejected_total",
          "Results Postgres refused as data (dropped, the rest of their batch written).",
          b.rejected);
  registry.AddComputedGauge(
      "lokahi_result_backlog_age_seconds", "How long the oldest result not yet written has waited.",
      [&batcher] { return static_cast<double>(batcher.BacklogAge().count()) / 1000.0; });
  counter("lokahi_transitions_total", "State changes recorded.", b.transitions);
  registry.AddComputedGauge("lokahi_probes_in_flight", "Probes on the wire now.",
                            [&dispatcher] { return static_cast<double>(dispatcher.InFlight()); });
  registry.AddComputedGauge("lokahi_probes_queued", "Probes waiting for an in-flight slot.",
                            [&dispatcher] { return static_cast<double>(dispatcher.Queued()); });
  registry.AddComputedGauge("lokahi_results_buffered", "Results waiting to be written.",
                            [&batcher] { return static_cast<double>(batcher.Buffered()); });
}

void RegisterVantageReadings(metrics::Registry& registry, const VantageMonitor& vantage,
                             const ProbeDispatcher& dispatcher) {
  const auto& v = vantage.stats();
  const auto counter = [&registry](const char* name, const char* help,
                                   const std::atomic<long long>& value,
                                   const metrics::Labels& labels = {}) {
    AddCounter(registry, name, help, value, labels);
  };
  registry.AddComputedGauge("lokahi_vantage_impaired",
                            "1 while this worker judges its own network path impaired (it takes no "
                            "work then).",
                            [&vantage] { return vantage.Impaired() ? 1.0 : 0.0; });
  registry.AddComputedGauge("lokahi_vantage_failure_spike",
                            "1 while path failures across distinct hosts "
                            "exceed the worker's recent baseline.",
                            [&v] { return v.spike.load() ? 1.0 : 0.0; });
  const char* kChanges = "Times the worker judged its own network path impaired or recovered.";
  counter("lokahi_vantage_changes_total", kChanges, v.impaired_total, {{"to", "impaired"}});
  counter("lokahi_vantage_changes_total", kChanges, v.recovered_total, {{"to", "recovered"}});
  counter("lokahi_canary_rounds_total", "Rounds of canary probes.", v.canary_rounds);
  counter("lokahi_canary_failed_rounds_total", "Canary rounds in which no canary answered.",
          v.canary_failed_rounds);
  counter("lokahi_results_inconclusive_total",
          "Failing results recorded INCONCLUSIVE because the worker's path was "
          "impaired.",
          v.inconclusive);
  registry.AddComputedGauge("lokahi_results_held",
                            "Path failures waiting for the next canary round's verdict.",
                            [&v] { return static_cast<double>(v.held.load()); });
  counter("lokahi_slots_handed_back_total",
          "Slots received while impaired and published again for other workers.",
          dispatcher.stats().handed_back);
}

void RegisterConfirmerReadings(metrics::Registry& registry, const Confirmer& confirmer) {
  const auto& c = confirmer.stats();
  const char* kOutcomes =
      "Transitions out of UP held for another worker's probe, by how they were decided.";
  AddCounter(registry, "lokahi_confirmations_total", kOutcomes, c.confirmed,
             {{"outcome", "confirmed"}});
  AddCounter(registry, "lokahi_confirmations_total", kOutcomes, c.vetoed, {{"outcome", "vetoed"}});
  AddCounter(registry, "lokahi_confirmations_total", kOutcomes, c.unanswered,
             {{"outcome", "unanswered"}});
  AddCounter(registry, "lokahi_confirmations_answered_total",
             "Confirmation answers received from other workers.", c.answered, {});
  AddCounter(registry, "lokahi_confirmations_accepted_total",
             "Confirmation requests another worker took before probing (its answer follows).",
             c.accepted, {});
  AddCounter(registry, "lokahi_confirmations_asked_again_total",
             "Confirmation requests sent again because every other worker's path was impaired.",
             c.asked_again, {});
}

metrics::ReadinessCheck VantageReadiness(const VantageMonitor& vantage) {
  return [&vantage]() -> metrics::Readiness {
    if (!vantage.Impaired()) return metrics::Readiness::Ready();
    return metrics::Readiness::NotReady("vantage impaired: " + vantage.Reason() +
                                        "; taking no work until the canaries answer");
  };
}

metrics::ReadinessCheck WriteBacklogReadiness(const ResultBatcher& batcher,
                                              std::chrono::milliseconds max_age) {
  return [&batcher, max_age]() -> metrics::Readiness {
    const auto age = batcher.BacklogAge();
    if (age <= max_age) return metrics::Readiness::Ready();
    return metrics::Readiness::NotReady(
        "results: the oldest unwritten result has waited " + std::to_string(age.count() / 1000) +
        " s (LOKAHI_MAX_WRITE_BACKLOG_SECONDS=" + std::to_string(max_age.count() / 1000) +
        "); see result_write_failed in the log");
  };
}

}  // namespace lokahi::healthworker
