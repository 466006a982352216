#pragma once
// A CheckStatus as a Discord webhook message ("Execute Webhook": a JSON object with `content`).

#include <cstddef>
#include <string>

#include "lokahi.pb.h"

namespace lokahi::receivers {

// Discord refuses a message whose content is longer than 2000 characters.
inline constexpr std::size_t kDiscordContentLimit = 2000;

// The message text: "🔴 check <id> is DOWN (was UP) — <url> answered 500 in 2.3 ms. Playbook:
// <playbook>", the playbook part only when there is one; truncated to kDiscordContentLimit.
std::string DiscordContent(const github::xe::lokahi::CheckStatus& status);

// The request body: {"content": ..., "allowed_mentions": {"parse": []}}. Mentions are disabled
// because URLs and error texts come from the monitored service and must not ping @everyone.
std::string DiscordMessageJson(const github::xe::lokahi::CheckStatus& status);

}  // namespace lokahi::receivers
