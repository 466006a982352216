#pragma once
// Every NATS subject and queue group, defined once.

#include <string_view>

namespace lokahi::nats {

struct Subjects {
  // Batches of due checks (internal.RunBatch), queue group kHealthworkers.
  static constexpr std::string_view kCheckRun = "check.run";
  // Request/reply: probe one check now (internal.RunNowRequest -> internal.ProbeOutcome).
  static constexpr std::string_view kCheckRunNow = "check.run.now";
  // Request/reply: another worker re-probes a failure before it takes a check out of UP
  // (internal.ConfirmRequest -> internal.ProbeOutcome), queue group kHealthworkers.
  static constexpr std::string_view kCheckConfirm = "check.confirm";
  // Nudge after transitions commit (internal.EgressNudge), queue group kWebhookWorkers.
  static constexpr std::string_view kWebhookEgress = "webhook.egress";
};

struct QueueGroups {
  static constexpr std::string_view kHealthworkers = "healthworker";
  static constexpr std::string_view kWebhookWorkers = "webhookworker";
};

}  // namespace lokahi::nats
