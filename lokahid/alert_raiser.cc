#include "lokahid/alert_raiser.h"

#include <algorithm>

namespace lokahi::lokahid {

namespace {
constexpr auto kPruneInterval = std::chrono::hours(1);
constexpr int kMaxBatchesPerRound = 100;
}  // namespace

AlertRaiser::AlertRaiser(Collaborators collaborators, AlertRaiserOptions options,
                         logging::Logger& log)
    : c_(std::move(collaborators)), options_(options), log_(log) {}

void AlertRaiser::Start() {
  task_ = std::make_unique<daemon::PeriodicTask>(options_.period, [this] {
    if (c_.active()) RunOnce();
  });
}

void AlertRaiser::Stop() { task_.reset(); }

int AlertRaiser::RunOnce() {
  int changed = 0;
  try {
    // Batches until what is due now is done (bounded, so a flood yields to the next round).
    for (int round = 0; round < kMaxBatchesPerRound; ++round) {
      const auto now = c_.clock();
      const auto result = c_.store.RunDue(now, options_.repeat, options_.batch);
      changed += result.changed;
      if (result.notifications > 0 && c_.nudge) c_.nudge();
      if (!result.raise_lags.empty()) {
        const auto worst = *std::max_element(result.raise_lags.begin(), result.raise_lags.end());
        log_.Info("alerts_raised",
                  {{"count", result.raise_lags.size()}, {"max_lag_ms", worst.count()}});
      }
      // Any of the three kinds may have filled its batch: go again until a round finds less.
      if (result.changed < options_.batch) break;
    }
    const auto steady = std::chrono::steady_clock::now();
    if (steady >= next_prune_) {
      next_prune_ = steady + kPruneInterval;
      Prune(c_.clock());
    }
    if (failing_) log_.Info("alert_raiser_recovered");
    failing_ = false;
  } catch (const std::exception& e) {
    if (!failing_) log_.Error("alert_raiser_failed", {{"error", e.what()}});
    failing_ = true;
  }
  return changed;
}

void AlertRaiser::Prune(alerts::Timestamp now) {
  const auto before = now - std::chrono::hours(24) * options_.retention_days;
  const auto alerts_removed = c_.store.PruneCleared(before);
  const auto notifications_removed = c_.notifications.PruneFinished(before);
  if (alerts_removed > 0 || notifications_removed > 0) {
    log_.Info("alerts_pruned", {{"cleared_alerts", alerts_removed},
                                {"notifications", notifications_removed},
                                {"retention_days", options_.retention_days}});
  }
}

}  // namespace lokahi::lokahid
