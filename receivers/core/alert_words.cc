#include "receivers/core/alert_words.h"

#include <google/protobuf/util/time_util.h>

namespace lokahi::receivers {

using github::xe::lokahi::Alert;
using github::xe::lokahi::AlertStatus;

std::string AlertKindName(AlertKind kind) {
  switch (kind) {
    case AlertStatus::RAISED:
      return "raised";
    case AlertStatus::RECOVERED:
      return "recovered";
    case AlertStatus::ACKNOWLEDGED:
      return "acknowledged";
    case AlertStatus::REMINDER:
      return "reminder";
    case AlertStatus::CLEARED:
      return "cleared";
    default:
      return "unknown(" + std::to_string(static_cast<int>(kind)) + ")";
  }
}

std::string_view AlertKindEmoji(AlertKind kind) {
  switch (kind) {
    case AlertStatus::RAISED:
      return "🚨";
    case AlertStatus::REMINDER:
      return "🔔";
    case AlertStatus::ACKNOWLEDGED:
      return "🤝";
    case AlertStatus::RECOVERED:
      return "🟢";
    case AlertStatus::CLEARED:
      return "✅";
    default:
      return "⚪";
  }
}

std::string AlertStateName(Alert::State state) {
  if (Alert::State_IsValid(state)) return Alert::State_Name(state);
  return "UNKNOWN(" + std::to_string(static_cast<int>(state)) + ")";
}

std::string AlertName(const Alert& alert) {
  return alert.source().empty() ? alert.id() : alert.source() + "/" + alert.id();
}

std::string AlertHeadline(const AlertStatus& status) {
  const Alert& alert = status.alert();
  std::string headline = "alert " + AlertName(alert) + " ";
  const std::string count = " (notification " + std::to_string(status.notify_count()) + ")";
  switch (status.kind()) {
    case AlertStatus::RAISED:
      headline += "raised" + count;
      break;
    case AlertStatus::REMINDER:
      headline += "still raised" + count;
      break;
    case AlertStatus::ACKNOWLEDGED:
      headline += "acknowledged";
      if (!alert.acknowledged_by().empty()) headline += " by " + alert.acknowledged_by();
      if (alert.has_acknowledged_until()) {
        headline +=
            " until " + google::protobuf::util::TimeUtil::ToString(alert.acknowledged_until());
      }
      break;
    default:
      headline += AlertKindName(status.kind());
  }
  if (!alert.subject().empty()) headline += ": " + alert.subject();
  return headline;
}

}  // namespace lokahi::receivers
