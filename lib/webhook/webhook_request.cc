#include "lib/webhook/webhook_request.h"

namespace lokahi::webhook {

std::string WebhookId(int64_t transition_id) { return "tr_" + std::to_string(transition_id); }

const char* GiveUpReasonName(GiveUpReason reason) {
  switch (reason) {
    case GiveUpReason::kDeadline:
      return "deadline";
    case GiveUpReason::kGone:
      return "gone";
  }
  return "unknown";
}

std::string UserAgent() {
  return std::string("lokahi-cpp/") + LOKAHI_VERSION + " (+https://github.com/Xe/lokahi)";
}

PostRequest BuildWebhookRequest(const std::string& url, EncodedBody body,
                                std::string_view webhook_id, int64_t unix_seconds,
                                const SigningKey* key, std::chrono::milliseconds timeout) {
  PostRequest request;
  request.url = url;
  request.timeout = timeout;
  request.headers = {
      "Content-Type: " + body.content_type,
      "Accept: " + body.content_type,
      "User-Agent: " + UserAgent(),
      "webhook-id: " + std::string(webhook_id),
      "webhook-timestamp: " + std::to_string(unix_seconds),
  };
  if (key != nullptr) {
    request.headers.push_back("webhook-signature: " +
                              SignatureHeader(*key, webhook_id, unix_seconds, body.bytes));
  }
  request.body = std::move(body.bytes);
  return request;
}

}  // namespace lokahi::webhook
