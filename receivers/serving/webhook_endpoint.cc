#include "receivers/serving/webhook_endpoint.h"

namespace lokahi::receivers {
namespace {

std::string HeaderValue(const http::Request& request, std::string_view name) {
  return std::string(request.headers.Get(name).value_or(""));
}

http::Response RefuseBody(logging::Logger& logger, const http::Request& request, int status,
                          const std::string& reason) {
  logger.Warn("bad_webhook", {{"reason", reason},
                              {"path", request.path},
                              {"remote_addr", request.peer_address},
                              {"webhook_id", HeaderValue(request, "webhook-id")}});
  return http::TextResponse(status, reason);
}

http::Response Reply(int status, std::string body, std::string content_type) {
  http::Response response;
  response.status = status;
  response.headers.Add("Content-Type", std::move(content_type));
  response.body = std::move(body);
  return response;
}

}  // namespace

http::Handler WebhookEndpoint(logging::Logger& logger,
                              std::optional<SignatureVerifier> signature_check,
                              DeliveryHandler handler) {
  return [&logger, signature_check = std::move(signature_check),
          handler = std::move(handler)](const http::Request& request) -> http::Response {
    if (request.method != "POST") {
      // For container health checks and load balancers: the server answers, so it is up.
      if ((request.method == "GET" || request.method == "HEAD") && request.path == "/healthz") {
        return Reply(200, "ok", "text/plain");
      }
      http::Response refusal = http::TextResponse(405, "webhooks are delivered with POST");
      refusal.headers.Add("Allow", "POST");
      return refusal;
    }
    const std::string webhook_id = HeaderValue(request, "webhook-id");
    const std::string webhook_timestamp = HeaderValue(request, "webhook-timestamp");
    if (signature_check) {
      const auto refusal = signature_check->Verify(webhook_id, webhook_timestamp,
                                                   HeaderValue(request, "webhook-signature"),
                                                   request.body, std::chrono::system_clock::now());
      if (refusal) return RefuseBody(logger, request, 401, "signature: " + *refusal);
    }
    const std::string content_type = HeaderValue(request, "Content-Type");
    const auto format = FormatOfContentType(content_type);
    if (!format) {
      return RefuseBody(logger, request, 415,
                        "unsupported Content-Type \"" + content_type +
                            "\"; send application/protobuf or application/json");
    }
    DecodedNotification decoded =
        DecodeNotification(*format, request.path, webhook_id, request.body);
    if (!decoded.notification) return RefuseBody(logger, request, 400, decoded.error);
    Delivery delivery{std::move(*decoded.notification), *format, webhook_id, webhook_timestamp};
    DeliveryReply reply;
    try {
      reply = handler(delivery);
    } catch (const std::exception& error) {
      const NotificationIds ids = IdsOf(delivery.notification);
      logger.Error("webhook_handler_failed", {{ids.subject_key, ids.subject},
                                              {"webhook_id", delivery.webhook_id},
                                              {"error", error.what()}});
      reply = {500, "internal error handling the webhook", std::nullopt};
    }
    if (reply.status >= 200 && reply.status < 300) {
      EncodedReply ack = EncodeAcknowledgement(*format);
      return Reply(reply.status, std::move(ack.body), std::move(ack.content_type));
    }
    http::Response response = Reply(reply.status, reply.message + "\n", "text/plain");
    if (reply.retry_after) {
      response.headers.Add("Retry-After", std::to_string(reply.retry_after->count()));
    }
    return response;
  };
}

}  // namespace lokahi::receivers
