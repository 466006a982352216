#pragma once
// The operator's notice of a healthworker judging its own network path impaired or recovered:
// JSON queued in the generic notifications outbox (lib/store/pg_notifications.h) for
// LOKAHI_OPS_WEBHOOK_URL, in the transaction that records the change.

#include <chrono>
#include <optional>
#include <string>

#include "lib/store/pg_notifications.h"
#include "lib/store/pg_vantage_events.h"

namespace lokahi::healthworker {

// {"type": "vantage.impaired"|"vantage.recovered", "worker", "location", "reason", "at" (RFC 3339)}
std::string VantageNoticeBody(const store::VantageEvent& event,
                              std::chrono::system_clock::time_point at);

// The outbox row for `event`, or nullopt when no operator webhook is configured.
std::optional<store::OutgoingNotification> VantageNotice(const store::VantageEvent& event,
                                                         const std::string& ops_webhook_url,
                                                         std::chrono::system_clock::time_point at);

}  // namespace lokahi::healthworker
