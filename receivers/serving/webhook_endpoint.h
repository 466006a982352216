#pragma once
// The HTTP side of receiving lokahi's webhooks, shared by every receiver that takes them.

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "lib/http/server.h"
#include "lib/logging/logger.h"
#include "lokahi.pb.h"
#include "receivers/core/check_status_body.h"
#include "receivers/core/webhook_signature.h"

namespace lokahi::receivers {

// Larger bodies are refused with 413 (ReceiverLimits): a CheckStatus is a few hundred bytes.
inline constexpr std::size_t kMaxWebhookBodyBytes = 1 << 20;

// One decoded delivery.
struct Delivery {
  Notification notification;
  BodyFormat format = BodyFormat::kProtobuf;
  std::string webhook_id;         // Standard Webhooks `webhook-id` header; "" when absent
  std::string webhook_timestamp;  // `webhook-timestamp` header; "" when absent
};

// How to answer a delivery. A 2xx carries the acknowledgement lokahi expects (an empty Nil in
// the request's format); anything else carries `message` as text/plain, and `retry_after` as a
// Retry-After header when set (lokahi's webhookworker waits at least that long).
struct DeliveryReply {
  int status = 200;
  std::string message;
  std::optional<std::chrono::seconds> retry_after;
};

// Called on the server's worker threads, concurrently: must be thread-safe.
using DeliveryHandler = std::function<DeliveryReply(const Delivery&)>;

// The HTTP handler of a receiver that takes lokahi's webhooks: POST on any path (lokahi's
// /twirp/github.xe.lokahi.Webhook/Handle among them) decodes the body by its Content-Type, as a
// CheckStatus or an AlertStatus (DecodeNotification), and passes it to `handler`. With a
// `signature_check`, a delivery without a valid Standard Webhooks
// signature gets 401. Undecodable bodies get 400 (415 for an unknown Content-Type); every refusal
// logs `bad_webhook reason=...`. GET /healthz answers "ok" (for health checks); other methods get
// 405; an exception from `handler` gets 500 and a log line. `logger` must outlive the handler.
http::Handler WebhookEndpoint(logging::Logger& logger,
                              std::optional<SignatureVerifier> signature_check,
                              DeliveryHandler handler);

}  // namespace lokahi::receivers
