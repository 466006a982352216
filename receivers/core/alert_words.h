#pragma once
// The words every receiver uses to describe a push alert's notification (AlertStatus), so the log
// line, the Discord message and the Slack message say the same thing.

#include <string>
#include <string_view>

#include "alerts.pb.h"

namespace lokahi::receivers {

using AlertKind = github::xe::lokahi::AlertStatus::Kind;

// "raised", "recovered", "acknowledged", "reminder", "cleared"; "unknown(9)" for a kind a newer
// sender added.
std::string AlertKindName(AlertKind kind);

// 🚨 raised, 🔔 reminder, 🤝 acknowledged, 🟢 recovered, ✅ cleared, ⚪ anything else.
std::string_view AlertKindEmoji(AlertKind kind);

// "PENDING", "RAISED", "ACKNOWLEDGED", "CLEARED"; "UNKNOWN(7)" otherwise.
std::string AlertStateName(github::xe::lokahi::Alert::State state);

// "<source>/<id>", or the id alone when the source is empty.
std::string AlertName(const github::xe::lokahi::Alert& alert);

// The headline, by kind: "alert web1/backup raised (notification 1): nightly backup missing",
// "alert web1/backup still raised (notification 3): …", "alert web1/backup acknowledged by ann
// until 2026-12-06T12:00:00Z: …", "alert web1/backup recovered: …", "alert web1/backup cleared: …".
// The subject part is left out when the alert has none.
std::string AlertHeadline(const github::xe::lokahi::AlertStatus& status);

}  // namespace lokahi::receivers
