#pragma once
// A CheckStatus as a Slack incoming-webhook message in Slack's attachment format:
//   {"text": "🔴 check <id> is DOWN (was UP)",
//    "attachments": [{"color": "danger", "fallback": "...", "fields": [
//        {"title": "URL", "value": "...", "short": false},
//        {"title": "Result", "value": "answered 500 in 2.3 ms", "short": true},
//        {"title": "Transition", "value": "42", "short": true},
//        {"title": "Playbook", "value": "...", "short": false}]}]}
// The Playbook field is present only when the check has one.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "lokahi.pb.h"
#include "receivers/core/notification.h"

namespace lokahi::receivers {

// Slack truncates `text` past 40,000 characters and advises far less; field values get the same
// cap as Discord's so one long URL cannot drown the message.
inline constexpr std::size_t kSlackTextLimit = 3000;
inline constexpr std::size_t kSlackFieldLimit = 2000;

// Attachment colour: "good" for UP, "danger" for DOWN, "warning" for ERROR and INIT.
std::string_view SlackColor(github::xe::lokahi::Check::State state);

// Slack reads &, < and > in text as markup (links, mentions); escaped, text shows as sent.
std::string EscapeSlackText(std::string_view text);

std::string SlackMessageJson(const github::xe::lokahi::CheckStatus& status);

// An alert notification (in a group of one) is {"text": "🚨 alert web1/backup raised (notification
// 1): …", "attachments": [{"color": "danger" for raised and reminder, "good" for recovered and
// cleared, "warning" otherwise; fields Detail (when set), Kind, Notifications (notify_count),
// State, Importance, and for an acknowledgement who, until when and the note}]}.

// One message for notifications that arrived together. A group of one is exactly SlackMessageJson's
// message. A larger one's `text` is the GroupHeadline ("📣 12 notifications: 8 🔴 DOWN, 4 🟢 UP",
// then "…and 7 more" on a second line when some are not shown), and its attachments are the first
// kGroupShownFirst notifications' attachments, each titled with its own headline.
std::string SlackGroupJson(std::span<const Notification> group);

}  // namespace lokahi::receivers
