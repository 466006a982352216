#pragma once
// discord_hook and slack_hook: receive lokahi's webhooks, format each as a chat message and post
// it to the chat service before answering. They differ only in the formatter.
//
// The relay answers 2xx only once the chat service has accepted the message, and an error
// otherwise, so the alert stays in lokahi's outbox (Postgres) and the webhookworker's retries,
// backoff and 24 h deadline apply to the chat service too. A relay keeps nothing that a crash
// could lose.

#include <chrono>
#include <functional>
#include <string>

#include "lib/config/env.h"
#include "lib/logging/logger.h"
#include "lokahi.pb.h"
#include "receivers/core/recent_webhook_ids.h"
#include "receivers/forward/shared_poster.h"
#include "receivers/serving/webhook_endpoint.h"

namespace lokahi::receivers {

// Turns a CheckStatus into the chat service's JSON request body.
using ChatFormatter = std::function<std::string(const github::xe::lokahi::CheckStatus&)>;

// Formats each delivery and posts it: 200 once the chat service accepted it; 502 when it did not
// (503 with its Retry-After when it asked to wait); 503 when the poster stayed busy for
// `busy_wait`; 409 while the same webhook-id is being relayed by another request. A redelivery
// of a relayed webhook-id is answered 200 and not posted again. `poster`, `recent` and `logger`
// must outlive the handler.
DeliveryHandler ChatRelayHandler(ChatFormatter format, SharedPoster& poster,
                                 std::chrono::milliseconds busy_wait, RecentWebhookIds& recent,
                                 logging::Logger& logger);

// A relay's whole life: reads ChatRelayConfig from `env`, prints it (the webhook URL scrubbed),
// serves until SIGINT/SIGTERM, letting requests under way finish. Returns the exit code. Runs
// inside RunReceiver, which reports configuration errors.
int RunChatRelay(const config::Env& env, logging::Logger& logger, ChatFormatter format);

}  // namespace lokahi::receivers
