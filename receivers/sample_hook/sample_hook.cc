#include "receivers/sample_hook/sample_hook.h"

#include "lib/webhook/url_redaction.h"
#include "receivers/core/alert_words.h"
#include "receivers/core/transition_words.h"

namespace lokahi::receivers {

SampleHook::SampleHook(logging::Logger& logger, RecentWebhookIds& recent, long long fail_first)
    : logger_(logger), recent_(recent), fail_first_(fail_first) {}

DeliveryReply SampleHook::Handle(const Delivery& delivery) {
  const NotificationIds ids = IdsOf(delivery.notification);
  const long long number = received_.fetch_add(1) + 1;
  if (number <= fail_first_) {
    logger_.Warn("webhook_refused", {{ids.subject_key, ids.subject},
                                     {"webhook_id", delivery.webhook_id},
                                     {ids.sequence_key, ids.sequence},
                                     {"reason", "SAMPLE_HOOK_FAIL_FIRST"},
                                     {"refusal", number},
                                     {"of", fail_first_}});
    return {500, "refused on purpose (SAMPLE_HOOK_FAIL_FIRST=" + std::to_string(fail_first_) + ")",
            std::nullopt};
  }
  // A redelivery (same webhook-id: lokahi did not see our answer, or someone replays a signed
  // delivery) is acknowledged and not handled again.
  if (!recent_.Claim(delivery.webhook_id)) {
    logger_.Info("webhook_duplicate", {{ids.subject_key, ids.subject},
                                       {ids.sequence_key, ids.sequence},
                                       {"webhook_id", delivery.webhook_id}});
    return {};
  }
  if (const auto* alert = std::get_if<github::xe::lokahi::AlertStatus>(&delivery.notification)) {
    LogAlert(*alert, delivery);
    return {};
  }
  const auto& status = std::get<github::xe::lokahi::CheckStatus>(delivery.notification);
  logger_.Info("webhook",
               {{"check_id", status.check().id()},
                {"state", StateName(status.check().state())},
                {"previous_state", StateName(status.previous_state())},
                {"latency", FormatMilliseconds(status.last_response_time_nanoseconds(), 3) + "ms"},
                {"status_code", status.resp_status_code()},
                {"url", webhook::WithoutUserinfo(status.check().url())},
                {"playbook_url", status.check().playbook_url()},
                {"error", status.last_probe().error()},
                {"webhook_id", delivery.webhook_id},
                {"transition_id", status.transition_id()},
                {"format", BodyFormatName(delivery.format)}});
  return {};
}

void SampleHook::LogAlert(const github::xe::lokahi::AlertStatus& status, const Delivery& delivery) {
  const auto& alert = status.alert();
  logger_.Info("alert_notification",
               {{"kind", AlertKindName(status.kind())},
                {"source", alert.source()},
                {"alert_id", alert.id()},
                {"state", AlertStateName(alert.state())},
                {"previous_state", AlertStateName(status.previous_state())},
                {"notify_count", status.notify_count()},
                {"importance", github::xe::lokahi::Alert::Importance_Name(alert.importance())},
                {"subject", alert.subject()},
                {"acknowledged_by", alert.acknowledged_by()},
                {"notification_id", status.notification_id()},
                {"webhook_id", delivery.webhook_id},
                {"format", BodyFormatName(delivery.format)}});
}

}  // namespace lokahi::receivers
