#pragma once
// What one delivery tells a receiver: a check's change of state or a push alert's notification. The
// relays group notifications that arrive together into one chat message, so they are kept as values
// rather than formatted one by one.

#include <cstdint>
#include <string>
#include <variant>

#include "alerts.pb.h"
#include "lokahi.pb.h"

namespace lokahi::receivers {

using Notification = std::variant<github::xe::lokahi::CheckStatus, github::xe::lokahi::AlertStatus>;

// What names a notification in a log line: ("check_id", "chk_1", "transition_id", 42) for a check,
// ("alert", "<source>/<id>", "notification_id", 7) for an alert.
struct NotificationIds {
  std::string subject_key;
  std::string subject;
  std::string sequence_key;
  std::int64_t sequence = 0;
};
NotificationIds IdsOf(const Notification& notification);

}  // namespace lokahi::receivers
