#pragma once
// discord_hook and slack_hook: receive lokahi's webhooks, format each as a chat message, and
// relay it through a ForwardQueue. They differ only in the formatter.

#include <functional>
#include <string>

#include "lib/config/env.h"
#include "lib/logging/logger.h"
#include "lokahi.pb.h"
#include "receivers/core/recent_webhook_ids.h"
#include "receivers/forward/forward_queue.h"
#include "receivers/serving/webhook_endpoint.h"

namespace lokahi::receivers {

// Turns a CheckStatus into the chat service's JSON request body.
using ChatFormatter = std::function<std::string(const github::xe::lokahi::CheckStatus&)>;

// Formats each delivery and queues it: 200 once queued, 503 when the queue is full (lokahi's
// webhookworker retries later). A redelivery (a webhook-id in `recent`) is answered 200 and not
// relayed again. `queue`, `recent` and `logger` must outlive the handler.
DeliveryHandler ChatRelayHandler(ChatFormatter format, ForwardQueue& queue,
                                 RecentWebhookIds& recent, logging::Logger& logger);

// A relay's whole life: reads ChatRelayConfig from `env`, prints it (the webhook URL scrubbed),
// serves until SIGINT/SIGTERM, then drains the queue. Returns the exit code. Runs inside
// RunReceiver, which reports configuration errors.
int RunChatRelay(const config::Env& env, logging::Logger& logger, ChatFormatter format);

}  // namespace lokahi::receivers
