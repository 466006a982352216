#pragma once
// The domain model of a push alert (purple, mauvealert): a row keyed by (source, id) with a raise
// time, moving PENDING -> RAISED -> ACKNOWLEDGED(until) -> CLEARED. Independent of protobuf, SQL
// and transport; the numeric values are the wire's (proto/alerts.proto) and the database's.

#include <chrono>
#include <compare>
#include <optional>
#include <string>
#include <string_view>

#include "lib/checks/check.h"

namespace lokahi::alerts {

using Timestamp = std::chrono::system_clock::time_point;

enum class State : int { kPending = 0, kRaised = 1, kAcknowledged = 2, kCleared = 3 };
// "PENDING", "RAISED", "ACKNOWLEDGED", "CLEARED".
std::string_view StateName(State state);
// Case-insensitive inverse of StateName; nullopt for anything else.
std::optional<State> ParseState(std::string_view text);

enum class Importance : int { kNormal = 0, kLow = 1, kUrgent = 2 };
std::string_view ImportanceName(Importance importance);  // "low", "normal", "urgent"
std::optional<Importance> ParseImportance(std::string_view text);

// What a notification says happened (AlertStatus.Kind).
enum class NotificationKind : int {
  kRaised = 1,
  kRecovered = 2,
  kAcknowledged = 3,
  kReminder = 4,
  kCleared = 5,
};
std::string_view NotificationKindName(NotificationKind kind);  // "raised", ...
// Inverse of NotificationKindName; nullopt for anything else.
std::optional<NotificationKind> ParseNotificationKind(std::string_view name);

struct AlertKey {
  std::string source;
  std::string id;
  friend bool operator==(const AlertKey&, const AlertKey&) = default;
  friend auto operator<=>(const AlertKey&, const AlertKey&) = default;
};

inline constexpr auto kDefaultAckFor = std::chrono::hours(1);
inline constexpr auto kMaxAckFor = std::chrono::hours(24 * 30);
inline constexpr auto kDefaultRepeat = std::chrono::hours(1);

struct Alert {
  AlertKey key;
  std::string subject;
  std::string detail;
  State state = State::kPending;
  // PENDING: when it raises. RAISED/ACKNOWLEDGED: when it raised. CLEARED: none.
  std::optional<Timestamp> raise_at;
  Importance importance = Importance::kNormal;
  std::string webhook_url;  // empty: the daemon's default (LOKAHI_ALERT_WEBHOOK_URL)
  checks::WebhookFormat webhook_format = checks::WebhookFormat::kJson;
  std::optional<Timestamp> suppress_until;  // no notifications before then
  std::string acknowledged_by;
  std::optional<Timestamp> acknowledged_until;
  std::string ack_note;
  int notify_count = 0;  // RAISED and REMINDER notifications since it last raised
  std::optional<Timestamp> next_reminder_at;  // RAISED only: when the next reminder is due
  Timestamp created_at{};
  Timestamp updated_at{};
  Timestamp state_changed_at{};
  std::optional<Timestamp> last_notified_at;
  friend bool operator==(const Alert&, const Alert&) = default;
};

// The outbox ordering key of an alert's notifications (they are delivered one after another).
// Length-prefixed, so no (source, id) pair can spell another's key.
std::string NotificationOrderingKey(const AlertKey& key);

}  // namespace lokahi::alerts
