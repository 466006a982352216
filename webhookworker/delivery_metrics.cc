#include "webhookworker/delivery_metrics.h"

namespace lokahi::webhookworker {
namespace {
constexpr const char* kDeliveries = "Webhook delivery attempts, by outcome.";
constexpr const char* kAbandoned =
    "Webhook deliveries given up for good (their receiver never gets them), by reason.";
}  // namespace

DeliveryMetrics::DeliveryMetrics(metrics::Registry& registry)
    : claimed_(registry.AddCounter("lokahi_webhook_claimed_total",
                                   "Transitions claimed from the outbox for an attempt.")),
      delivered_(registry.AddCounter("lokahi_webhook_deliveries_total", kDeliveries,
                                     {{"outcome", "delivered"}})),
      retried_(registry.AddCounter("lokahi_webhook_deliveries_total", kDeliveries,
                                   {{"outcome", "retry"}})),
      failed_(registry.AddCounter("lokahi_webhook_deliveries_total", kDeliveries,
                                  {{"outcome", "failed"}})),
      abandoned_deadline_(registry.AddCounter("lokahi_webhook_abandoned_total", kAbandoned,
                                              {{"reason", "deadline"}})),
      abandoned_gone_(
          registry.AddCounter("lokahi_webhook_abandoned_total", kAbandoned, {{"reason", "gone"}})),
      in_flight_(registry.AddGauge("lokahi_webhook_in_flight", "Webhook POSTs on the wire now.")),
      response_seconds_(registry.AddHistogram("lokahi_webhook_response_seconds",
                                              "Response time of delivered webhooks.",
                                              metrics::ExponentialBuckets(0.001, 2, 15))) {}

void DeliveryMetrics::OnClaimed(size_t count) { claimed_.Increment(count); }

void DeliveryMetrics::OnOutcome(const webhook::DeliveryOutcome& outcome) {
  switch (outcome.kind) {
    case webhook::OutcomeKind::kDelivered:
      delivered_.Increment();
      response_seconds_.Observe(static_cast<double>(outcome.response_time_ns) / 1e9);
      break;
    case webhook::OutcomeKind::kRetry:
      retried_.Increment();
      break;
    case webhook::OutcomeKind::kFailed:
      failed_.Increment();
      (outcome.gave_up == webhook::GiveUpReason::kGone ? abandoned_gone_ : abandoned_deadline_)
          .Increment();
      break;
  }
}

void DeliveryMetrics::OnInFlight(size_t transfers) {
  in_flight_.Set(static_cast<double>(transfers));
}

namespace {
constexpr const char* kNotifications =
    "Notification delivery attempts (alerts, notices), by outcome.";
constexpr const char* kNotificationsAbandoned =
    "Notifications given up for good (their receiver never gets them), by reason.";
}  // namespace

NotificationMetrics::NotificationMetrics(metrics::Registry& registry)
    : delivered_(registry.AddCounter("lokahi_notification_deliveries_total", kNotifications,
                                     {{"outcome", "delivered"}})),
      retried_(registry.AddCounter("lokahi_notification_deliveries_total", kNotifications,
                                   {{"outcome", "retry"}})),
      failed_(registry.AddCounter("lokahi_notification_deliveries_total", kNotifications,
                                  {{"outcome", "failed"}})),
      abandoned_deadline_(registry.AddCounter("lokahi_notifications_abandoned_total",
                                              kNotificationsAbandoned, {{"reason", "deadline"}})),
      abandoned_gone_(registry.AddCounter("lokahi_notifications_abandoned_total",
                                          kNotificationsAbandoned, {{"reason", "gone"}})) {}

void NotificationMetrics::OnOutcome(store::NotificationOutcomeKind kind,
                                    std::optional<webhook::GiveUpReason> gave_up) {
  switch (kind) {
    case store::NotificationOutcomeKind::kDelivered:
      delivered_.Increment();
      break;
    case store::NotificationOutcomeKind::kRetry:
      retried_.Increment();
      break;
    case store::NotificationOutcomeKind::kFailed:
      failed_.Increment();
      (gave_up == webhook::GiveUpReason::kGone ? abandoned_gone_ : abandoned_deadline_).Increment();
      break;
  }
}

}  // namespace lokahi::webhookworker
