#include "receivers/serving/chat_relay.h"

#include "receivers/core/receiver_config.h"
#include "receivers/forward/curl_json_poster.h"
#include "receivers/serving/serve_until_signalled.h"

namespace lokahi::receivers {

DeliveryHandler ChatRelayHandler(ChatFormatter format, ForwardQueue& queue,
                                 RecentWebhookIds& recent, logging::Logger& logger) {
  return [format = std::move(format), &queue, &recent, &logger](const Delivery& delivery) {
    const auto& check = delivery.status.check();
    // Formatted before the id is claimed, so a delivery that fails here is not taken for a
    // duplicate when lokahi sends it again.
    Forward forward{format(delivery.status), check.id(), delivery.status.transition_id(),
                    delivery.webhook_id};
    if (!recent.Claim(delivery.webhook_id)) {
      logger.Info("webhook_duplicate", {{"check_id", check.id()},
                                        {"transition_id", delivery.status.transition_id()},
                                        {"webhook_id", delivery.webhook_id}});
      return DeliveryReply{};
    }
    if (!queue.TryEnqueue(std::move(forward))) {
      recent.Release(delivery.webhook_id);
      logger.Warn("webhook_refused", {{"check_id", check.id()},
                                      {"transition_id", delivery.status.transition_id()},
                                      {"webhook_id", delivery.webhook_id},
                                      {"reason", "relay queue full"}});
      return DeliveryReply{503, "relay queue full, retry later"};
    }
    logger.Info("webhook_queued", {{"check_id", check.id()},
                                   {"transition_id", delivery.status.transition_id()},
                                   {"webhook_id", delivery.webhook_id},
                                   {"queue_depth", queue.Depth()}});
    return DeliveryReply{};
  };
}

int RunChatRelay(const config::Env& env, logging::Logger& logger, ChatFormatter format) {
  const ChatRelayConfig config = ChatRelayConfig::FromEnv(env);
  logger.Info("config", {{"port", config.port},
                         {"webhook_url", ScrubWebhookUrl(config.webhook_url)},
                         {"queue_capacity", config.queue_capacity},
                         {"max_attempts", config.max_attempts},
                         {"backoff_ms", config.initial_backoff.count()},
                         {"max_backoff_ms", config.max_backoff.count()},
                         {"timeout_ms", config.request_timeout.count()},
                         {"drain_ms", config.drain_timeout.count()},
                         {"signature_check", config.signature_check ? "on" : "off"}});
  CurlGlobal curl;
  CurlJsonPoster poster(config.webhook_url, config.request_timeout);
  ForwardQueue queue(poster, logger,
                     {config.queue_capacity,
                      {config.max_attempts, config.initial_backoff, config.max_backoff},
                      config.drain_timeout});
  RecentWebhookIds recent(kRememberedWebhookIds);
  ReceiverServer server;
  InstallWebhookEndpoint(server, logger, config.signature_check,
                         ChatRelayHandler(std::move(format), queue, recent, logger));
  ServeUntilSignalled(server, config.port, logger);
  queue.Shutdown();
  logger.Info("stopped");
  return 0;
}

}  // namespace lokahi::receivers
