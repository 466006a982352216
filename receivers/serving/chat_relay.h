#pragma once
// discord_hook and slack_hook: receive lokahi's webhooks and post them to the chat service,
// grouping what arrives within a short window into one message, before answering. They differ only
// in the formatter.
//
// The relay answers 2xx only once the chat service has accepted the message that carries a
// delivery, and an error otherwise, so the alert stays in lokahi's outbox (Postgres) and the
// webhookworker's retries, backoff and 24 h deadline apply to the chat service too. A relay keeps
// nothing that a crash
// could lose.

#include <chrono>
#include <functional>
#include <string>

#include "lib/config/env.h"
#include "lib/logging/logger.h"
#include "lokahi.pb.h"
#include "receivers/core/recent_webhook_ids.h"
#include "receivers/forward/grouped_poster.h"
#include "receivers/serving/webhook_endpoint.h"

namespace lokahi::receivers {

// Passes each delivery to `poster` and answers with what became of it: 200 once the chat service
// accepted the message carrying it; 502 when it refused it or did not answer; 503 when it was
// handed back (with Retry-After: until the chat service's rate limit ends, else 1 s); 409 while the
// same webhook-id is being relayed by another request. A redelivery of a relayed webhook-id is
// answered 200 and not posted again. `poster`, `recent` and `logger` must outlive the handler.
DeliveryHandler ChatRelayHandler(GroupedPoster& poster, RecentWebhookIds& recent,
                                 logging::Logger& logger);

// A relay's whole life: reads ChatRelayConfig from `env`, prints it (the webhook URL scrubbed),
// serves until SIGINT/SIGTERM, letting requests under way finish. Returns the exit code. Runs
// inside RunReceiver, which reports configuration errors.
int RunChatRelay(const config::Env& env, logging::Logger& logger, GroupedPoster::Formatter format);

}  // namespace lokahi::receivers
