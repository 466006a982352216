#include "receivers/sample_hook/sample_hook.h"

#include "lib/webhook/url_redaction.h"
#include "receivers/core/transition_words.h"

namespace lokahi::receivers {

SampleHook::SampleHook(logging::Logger& logger, RecentWebhookIds& recent, long long fail_first)
    : logger_(logger), recent_(recent), fail_first_(fail_first) {}

DeliveryReply SampleHook::Handle(const Delivery& delivery) {
  const auto& status = delivery.status;
  const long long number = received_.fetch_add(1) + 1;
  if (number <= fail_first_) {
    logger_.Warn("webhook_refused", {{"check_id", status.check().id()},
                                     {"webhook_id", delivery.webhook_id},
                                     {"transition_id", status.transition_id()},
                                     {"reason", "SAMPLE_HOOK_FAIL_FIRST"},
                                     {"refusal", number},
                                     {"of", fail_first_}});
    return {500, "refused on purpose (SAMPLE_HOOK_FAIL_FIRST=" + std::to_string(fail_first_) + ")",
            std::nullopt};
  }
  // A redelivery (same webhook-id: lokahi did not see our answer, or someone replays a signed
  // delivery) is acknowledged and not handled again.
  if (!recent_.Claim(delivery.webhook_id)) {
    logger_.Info("webhook_duplicate", {{"check_id", status.check().id()},
                                       {"transition_id", status.transition_id()},
                                       {"webhook_id", delivery.webhook_id}});
    return {};
  }
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

}  // namespace lokahi::receivers
