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

}  // namespace

DeliveryHandler ChatRelayHandler(ChatFormatter format, SharedPoster& poster,
                                 std::chrono::milliseconds busy_wait, RecentWebhookIds& recent,
                                 logging::Logger& logger) {
  return [format = std::move(format), &poster, busy_wait, &recent,
          &logger](const Delivery& delivery) -> DeliveryReply {
    const std::string& check_id = delivery.status.check().id();
    const auto transition_id = delivery.status.transition_id();
    const std::string& webhook_id = delivery.webhook_id;
    // Formatted before the id is claimed, so a delivery that fails here is not taken for a
    // duplicate when lokahi sends it again.
    const std::string json = format(delivery.status);
    switch (recent.Begin(webhook_id)) {
      case WebhookIdClaim::kDone:
        logger.Info(
            "webhook_duplicate",
            {{"check_id", check_id}, {"transition_id", transition_id}, {"webhook_id", webhook_id}});
        return DeliveryReply{};
      case WebhookIdClaim::kInProgress:
        logger.Info(
            "webhook_in_progress",
            {{"check_id", check_id}, {"transition_id", transition_id}, {"webhook_id", webhook_id}});
        return DeliveryReply{409, "this webhook-id is being relayed right now, retry later",
                             std::chrono::seconds(1)};
      case WebhookIdClaim::kNew:
        break;
    }
    const auto result = poster.TryPost(json, busy_wait);
    if (!result) {
      recent.Release(webhook_id);
      logger.Warn("webhook_refused", {{"check_id", check_id},
                                      {"transition_id", transition_id},
                                      {"webhook_id", webhook_id},
                                      {"reason", "relay busy"}});
      return DeliveryReply{503, "relay busy, retry later", std::chrono::seconds(1)};
    }
    if (result->Delivered()) {
      recent.Finish(webhook_id);
      logger.Info("forward_delivered", {{"check_id", check_id},
                                        {"transition_id", transition_id},
                                        {"webhook_id", webhook_id},
                                        {"status_code", result->status_code}});
      return DeliveryReply{};
    }
    recent.Release(webhook_id);
    logger.Warn("forward_failed",
                {{"check_id", check_id},
                 {"transition_id", transition_id},
                 {"webhook_id", webhook_id},
                 {"status_code", result->status_code},
                 {"error", result->error},
                 {"retry_after_ms", result->retry_after ? result->retry_after->count() : -1}});
    const std::string said = result->status_code == 0
                                 ? "no answer: " + result->error
                                 : "answered " + std::to_string(result->status_code);
    if (result->retry_after) {
      return DeliveryReply{503, "chat service asked to wait (" + said + ")",
                           RoundUpToSeconds(*result->retry_after)};
    }
    return DeliveryReply{502, "chat service did not accept the message (" + said + ")",
                         std::nullopt};
  };
}

int RunChatRelay(const config::Env& env, logging::Logger& logger, ChatFormatter format) {
  const ChatRelayConfig config = ChatRelayConfig::FromEnv(env);
  logger.Info("config", {{"port", config.port},
                         {"webhook_url", ScrubWebhookUrl(config.webhook_url)},
                         {"timeout_ms", config.request_timeout.count()},
                         {"busy_wait_ms", config.busy_wait.count()},
                         {"signature_check", config.signature_check ? "on" : "off"}});
  CurlGlobal curl;
  CurlJsonPoster curl_poster(config.webhook_url, config.request_timeout);
  SharedPoster poster(curl_poster);
  RecentWebhookIds recent(kRememberedWebhookIds);
  ServeUntilSignalled(WebhookEndpoint(logger, config.signature_check,
                                      ChatRelayHandler(std::move(format), poster, config.busy_wait,
                                                       recent, logger)),
                      config.listen_address, config.port, logger);
  logger.Info("stopped");
  return 0;
}

}  // namespace lokahi::receivers
