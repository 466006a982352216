#pragma once
// The HTTP request of one delivery attempt: lokahi's content headers plus the Standard Webhooks
// headers. Pure.

#include <cstdint>
#include <string>
#include <string_view>

#include "lib/webhook/check_status_body.h"
#include "lib/webhook/curl_multi_poster.h"
#include "lib/webhook/signature.h"

namespace lokahi::webhook {

// "lokahi-cpp/<version> (+https://github.com/Xe/lokahi)"
std::string UserAgent();

// `key` null = unsigned (no secret configured). `unix_seconds` is this attempt's time.
PostRequest BuildWebhookRequest(const std::string& url, EncodedBody body,
                                std::string_view webhook_id, int64_t unix_seconds,
                                const SigningKey* key, std::chrono::milliseconds timeout);

}  // namespace lokahi::webhook
