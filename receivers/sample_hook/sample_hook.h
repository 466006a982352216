#pragma once
// sample_hook's delivery handler: one log line per delivery, optionally refusing the first few
// to exercise a sender's retries.

#include <atomic>

#include "lib/logging/logger.h"
#include "receivers/core/recent_webhook_ids.h"
#include "receivers/serving/webhook_endpoint.h"

namespace lokahi::receivers {

// Thread-safe. `logger` and `recent` must outlive it.
class SampleHook {
 public:
  SampleHook(logging::Logger& logger, RecentWebhookIds& recent, long long fail_first);

  // Logs `event=webhook check_id=... state=... previous_state=... latency=2.265ms
  // status_code=... url=... playbook_url=... error=... webhook_id=... transition_id=...
  // format=...` and accepts. A webhook-id handled before is accepted without being handled
  // again: logged as `webhook_duplicate` only. The first `fail_first` deliveries are instead
  // logged as `webhook_refused` and answered 500 (and not remembered, so their retries count).
  //
  // An alert notification is logged as `event=alert_notification kind=raised source=...
  // alert_id=... state=RAISED previous_state=PENDING notify_count=1 importance=NORMAL subject=...
  // acknowledged_by=... notification_id=... webhook_id=... format=...`.
  DeliveryReply Handle(const Delivery& delivery);

 private:
  void LogAlert(const github::xe::lokahi::AlertStatus& status, const Delivery& delivery);

  logging::Logger& logger_;
  RecentWebhookIds& recent_;
  const long long fail_first_;
  std::atomic<long long> received_{0};
};

}  // namespace lokahi::receivers
