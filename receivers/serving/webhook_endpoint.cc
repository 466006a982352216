#include "receivers/serving/webhook_endpoint.h"

namespace lokahi::receivers {
namespace {

void RefuseBody(logging::Logger& logger, const httplib::Request& request,
                httplib::Response& response, int status, const std::string& reason) {
  logger.Warn("bad_webhook", {{"reason", reason},
                              {"path", request.path},
                              {"remote_addr", request.remote_addr},
                              {"webhook_id", request.get_header_value("webhook-id")}});
  response.status = status;
  response.set_content(reason + "\n", "text/plain");
}

}  // namespace

void InstallWebhookEndpoint(httplib::Server& server, logging::Logger& logger,
                            std::optional<SignatureVerifier> signature_check,
                            DeliveryHandler handler) {
  server.set_payload_max_length(kMaxWebhookBodyBytes);
  server.set_pre_routing_handler([](const httplib::Request& request, httplib::Response& response) {
    if (request.method == "POST") return httplib::Server::HandlerResponse::Unhandled;
    // For container health checks and load balancers: the server answers, so it is up.
    if (request.method == "GET" && request.path == "/healthz") {
      response.set_content("ok", "text/plain");
      return httplib::Server::HandlerResponse::Handled;
    }
    response.status = 405;
    response.set_header("Allow", "POST");
    response.set_content("webhooks are delivered with POST\n", "text/plain");
    return httplib::Server::HandlerResponse::Handled;
  });
  server.Post(".*", [&logger, signature_check = std::move(signature_check),
                     handler = std::move(handler)](const httplib::Request& request,
                                                   httplib::Response& response) {
    if (signature_check) {
      const auto refusal = signature_check->Verify(request.get_header_value("webhook-id"),
                                                   request.get_header_value("webhook-timestamp"),
                                                   request.get_header_value("webhook-signature"),
                                                   request.body, std::chrono::system_clock::now());
      if (refusal) {
        RefuseBody(logger, request, response, 401, "signature: " + *refusal);
        return;
      }
    }
    const std::string content_type = request.get_header_value("Content-Type");
    const auto format = FormatOfContentType(content_type);
    if (!format) {
      const std::string reason = "unsupported Content-Type \"" + content_type +
                                 "\"; send application/protobuf or application/json";
      RefuseBody(logger, request, response, 415, reason);
      return;
    }
    DecodedBody decoded = DecodeCheckStatus(*format, request.body);
    if (!decoded.status) {
      RefuseBody(logger, request, response, 400, decoded.error);
      return;
    }
    Delivery delivery{std::move(*decoded.status), *format, request.get_header_value("webhook-id"),
                      request.get_header_value("webhook-timestamp")};
    DeliveryReply reply;
    try {
      reply = handler(delivery);
    } catch (const std::exception& error) {
      logger.Error("webhook_handler_failed", {{"check_id", delivery.status.check().id()},
                                              {"webhook_id", delivery.webhook_id},
                                              {"error", error.what()}});
      reply = {500, "internal error handling the webhook", std::nullopt};
    }
    response.status = reply.status;
    if (reply.status >= 200 && reply.status < 300) {
      const EncodedReply ack = EncodeAcknowledgement(*format);
      response.set_content(ack.body, ack.content_type);
    } else {
      response.set_content(reply.message + "\n", "text/plain");
      if (reply.retry_after) {
        response.set_header("Retry-After", std::to_string(reply.retry_after->count()));
      }
    }
  });
}

}  // namespace lokahi::receivers
