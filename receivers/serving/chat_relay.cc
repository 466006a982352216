#include "receivers/serving/chat_relay.h"

#include "receivers/core/receiver_config.h"
#include "receivers/forward/curl_json_poster.h"
#include "receivers/serving/serve_until_signalled.h"

namespace lokahi::receivers {
namespace {

// Whole seconds for a Retry-After header, rounded up so the sender never comes back early.
std::chrono::seconds RoundUpToSeconds(std::chrono::milliseconds wait) {
  return std::chrono::ceil<std::chrono::seconds>(wait);
}

constexpr std::chrono::seconds kBusyRetryAfter{1};

// Handler threads beyond the held deliveries' own, for /healthz, duplicates and refusals.
constexpr int kSpareHandlerThreads = 8;

}  // namespace

DeliveryHandler ChatRelayHandler(GroupedPoster& poster, RecentWebhookIds& recent,
                                 logging::Logger& logger) {
  return [&poster, &recent, &logger](const Delivery& delivery) -> DeliveryReply {
    const NotificationIds ids = IdsOf(delivery.notification);
    const std::string& webhook_id = delivery.webhook_id;
    switch (recent.Begin(webhook_id)) {
      case WebhookIdClaim::kDone:
        logger.Info("webhook_duplicate", {{ids.subject_key, ids.subject},
                                          {ids.sequence_key, ids.sequence},
                                          {"webhook_id", webhook_id}});
        return DeliveryReply{};
      case WebhookIdClaim::kInProgress:
        logger.Info("webhook_in_progress", {{ids.subject_key, ids.subject},
                                            {ids.sequence_key, ids.sequence},
                                            {"webhook_id", webhook_id}});
        return DeliveryReply{409, "this webhook-id is being relayed right now, retry later",
                             kBusyRetryAfter};
      case WebhookIdClaim::kNew:
        break;
    }
    const GroupedOutcome outcome = poster.Post(delivery.notification);
    if (outcome.kind == GroupedOutcome::Kind::kPosted) {
      recent.Finish(webhook_id);
      logger.Info("forward_delivered", {{ids.subject_key, ids.subject},
                                        {ids.sequence_key, ids.sequence},
                                        {"webhook_id", webhook_id},
                                        {"status_code", outcome.post.status_code},
                                        {"group_size", outcome.group_size}});
      return DeliveryReply{};
    }
    recent.Release(webhook_id);
    if (outcome.kind == GroupedOutcome::Kind::kBusy) {
      const bool rate_limited = outcome.retry_after.has_value();
      logger.Warn("webhook_refused",
                  {{ids.subject_key, ids.subject},
                   {ids.sequence_key, ids.sequence},
                   {"webhook_id", webhook_id},
                   {"reason", rate_limited ? "rate limited by the chat service" : "relay busy"},
                   {"retry_after_ms", rate_limited ? outcome.retry_after->count() : -1}});
      if (rate_limited) {
        return DeliveryReply{503, "the chat service asked to wait, retry later",
                             RoundUpToSeconds(*outcome.retry_after)};
      }
      return DeliveryReply{503, "relay busy, retry later", kBusyRetryAfter};
    }
    const PostResult& result = outcome.post;
    logger.Warn("forward_failed", {{ids.subject_key, ids.subject},
                                   {ids.sequence_key, ids.sequence},
                                   {"webhook_id", webhook_id},
                                   {"status_code", result.status_code},
                                   {"error", result.error},
                                   {"group_size", outcome.group_size}});
    const std::string said = result.status_code == 0
                                 ? "no answer: " + result.error
                                 : "answered " + std::to_string(result.status_code);
    return DeliveryReply{502, "chat service did not accept the message (" + said + ")",
                         std::nullopt};
  };
}

int RunChatRelay(const config::Env& env, logging::Logger& logger, GroupedPoster::Formatter format) {
  const ChatRelayConfig config = ChatRelayConfig::FromEnv(env);
  logger.Info("config", {{"port", config.port},
                         {"webhook_url", ScrubWebhookUrl(config.webhook_url)},
                         {"timeout_ms", config.request_timeout.count()},
                         {"group_window_ms", config.group_window.count()},
                         {"busy_wait_ms", config.busy_wait.count()},
                         {"max_held", config.max_held},
                         {"signature_check", config.signature_check ? "on" : "off"}});
  CurlGlobal curl;
  CurlJsonPoster curl_poster(config.webhook_url, config.request_timeout);
  GroupedPoster poster(curl_poster, std::move(format),
                       GroupingOptions{config.group_window, config.busy_wait, config.max_held},
                       logger);
  RecentWebhookIds recent(kRememberedWebhookIds);
  // Every held delivery occupies a handler thread; a few more keep /healthz and duplicates
  // answering while the relay holds as many as it may.
  http::ServerLimits limits = ReceiverLimits();
  limits.handler_threads = static_cast<int>(config.max_held) + kSpareHandlerThreads;
  ServeUntilSignalled(
      WebhookEndpoint(logger, config.signature_check, ChatRelayHandler(poster, recent, logger)),
      config.listen_address, config.port, logger, limits);
  logger.Info("stopped");
  return 0;
}

}  // namespace lokahi::receivers
