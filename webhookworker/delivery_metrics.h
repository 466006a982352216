#pragma once
// The webhookworker's /metrics series, fed by the delivery loop through its observer seam.

#include "lib/metrics/registry.h"
#include "lib/webhook/delivery_loop.h"
#include "lib/webhook/notification_loop.h"

namespace lokahi::webhookworker {

// Thread-safe: every update is an atomic on a series registered at construction.
class DeliveryMetrics final : public webhook::DeliveryObserver {
 public:
  explicit DeliveryMetrics(metrics::Registry& registry);
  void OnClaimed(size_t count) override;
  void OnOutcome(const webhook::DeliveryOutcome& outcome) override;
  void OnInFlight(size_t transfers) override;

 private:
  metrics::Counter& claimed_;
  metrics::Counter& delivered_;
  metrics::Counter& retried_;
  metrics::Counter& failed_;
  metrics::Counter& abandoned_deadline_;
  metrics::Counter& abandoned_gone_;
  metrics::Gauge& in_flight_;
  metrics::Histogram& response_seconds_;
};

// The notifications outbox's series (push alerts' and other notices' deliveries): attempts by
// outcome, and notifications abandoned (retries exhausted, or 410 Gone) by reason, so an
// operator can alert on a receiver that never gets them. Thread-safe as DeliveryMetrics.
class NotificationMetrics final : public webhook::NotificationObserver {
 public:
  explicit NotificationMetrics(metrics::Registry& registry);
  void OnOutcome(store::NotificationOutcomeKind kind,
                 std::optional<webhook::GiveUpReason> gave_up) override;

 private:
  metrics::Counter& delivered_;
  metrics::Counter& retried_;
  metrics::Counter& failed_;
  metrics::Counter& abandoned_deadline_;
  metrics::Counter& abandoned_gone_;
};

}  // namespace lokahi::webhookworker
