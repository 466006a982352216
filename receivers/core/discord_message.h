#pragma once
// A CheckStatus as a Discord webhook message ("Execute Webhook": a JSON object with `content`).

#include <cstddef>
#include <span>
#include <string>

#include "lokahi.pb.h"
#include "receivers/core/notification.h"

namespace lokahi::receivers {

// Discord refuses a message whose content is longer than 2000 characters.
inline constexpr std::size_t kDiscordContentLimit = 2000;

// The message text: "🔴 check <id> is DOWN (was UP) — <url> answered 500 in 2.3 ms. Playbook:
// <playbook>", the playbook part only when there is one; truncated to kDiscordContentLimit.
std::string DiscordContent(const github::xe::lokahi::CheckStatus& status);

// An alert notification's text: "🚨 alert web1/backup raised (notification 1): nightly backup
// missing", then, on their own lines when set, the detail, "Importance: URGENT" and the ack's note;
// truncated to kDiscordContentLimit.
std::string DiscordContent(const github::xe::lokahi::AlertStatus& status);

// The request body: {"content": ..., "allowed_mentions": {"parse": []}}. Mentions are disabled
// because URLs and error texts come from the monitored service and must not ping @everyone.
std::string DiscordMessageJson(const github::xe::lokahi::CheckStatus& status);

// Each line of a grouped message is cut to this, so the first few all fit in one message.
inline constexpr std::size_t kDiscordGroupLineLimit = 300;

// One message for notifications that arrived together. A group of one is exactly
// DiscordMessageJson's message. A larger one's content is the GroupHeadline ("📣 12 notifications: 8
// 🔴 DOWN, 4 🟢 UP"), then the first kGroupShownFirst notifications' texts one per line (each cut
// to kDiscordGroupLineLimit), then "…and 7 more"; mentions stay off.
std::string DiscordGroupJson(std::span<const Notification> group);

}  // namespace lokahi::receivers
