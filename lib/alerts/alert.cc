#include "lib/alerts/alert.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace lokahi::alerts {
namespace {

bool SameIgnoringCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

constexpr std::array<std::pair<State, std::string_view>, 4> kStates = {{
    {State::kPending, "PENDING"},
    {State::kRaised, "RAISED"},
    {State::kAcknowledged, "ACKNOWLEDGED"},
    {State::kCleared, "CLEARED"},
}};

constexpr std::array<std::pair<Importance, std::string_view>, 3> kImportances = {{
    {Importance::kLow, "low"},
    {Importance::kNormal, "normal"},
    {Importance::kUrgent, "urgent"},
}};

}  // namespace

std::string_view StateName(State state) {
  for (const auto& [value, name] : kStates) {
    if (value == state) return name;
  }
  return "UNKNOWN";
}

std::optional<State> ParseState(std::string_view text) {
  for (const auto& [value, name] : kStates) {
    if (SameIgnoringCase(text, name)) return value;
  }
  return std::nullopt;
}

std::string_view ImportanceName(Importance importance) {
  for (const auto& [value, name] : kImportances) {
    if (value == importance) return name;
  }
  return "normal";
}

std::optional<Importance> ParseImportance(std::string_view text) {
  for (const auto& [value, name] : kImportances) {
    if (SameIgnoringCase(text, name)) return value;
  }
  return std::nullopt;
}

std::string_view NotificationKindName(NotificationKind kind) {
  switch (kind) {
    case NotificationKind::kRaised:
      return "raised";
    case NotificationKind::kRecovered:
      return "recovered";
    case NotificationKind::kAcknowledged:
      return "acknowledged";
    case NotificationKind::kReminder:
      return "reminder";
    case NotificationKind::kCleared:
      return "cleared";
  }
  return "unknown";
}

std::optional<NotificationKind> ParseNotificationKind(std::string_view name) {
  for (const auto kind :
       {NotificationKind::kRaised, NotificationKind::kRecovered, NotificationKind::kAcknowledged,
        NotificationKind::kReminder, NotificationKind::kCleared}) {
    if (NotificationKindName(kind) == name) return kind;
  }
  return std::nullopt;
}

std::string NotificationOrderingKey(const AlertKey& key) {
  return "alert:" + std::to_string(key.source.size()) + ":" + key.source + key.id;
}

}  // namespace lokahi::alerts
