#include "lib/checks/validation.h"

#include "lib/auth/base64.h"
#include "lib/checks/quote.h"
#include "lib/url/url.h"

namespace lokahi::checks {
namespace {
std::optional<std::string> Range(const char* field, int value, int min, int max,
                                 const char* unit = "") {
  if (value >= min && value <= max) return std::nullopt;
  return std::string(field) + " must be between " + std::to_string(min) + " and " +
         std::to_string(max) + unit + ", got " + std::to_string(value);
}

// One parser for what we accept and what the prober fetches: libcurl's.
std::optional<std::string> UrlField(const char* field, const std::string& value) {
  std::string why;
  if (url::Url::Parse(value, &why)) return std::nullopt;
  return std::string(field) + " " + why + (value.empty() ? "" : ": " + Quote(value));
}

// A Standard Webhooks secret, as the webhookworker's signer (lib/webhook SigningKey) and the
// receivers decode it: "whsec_" + standard base64 of the key.
std::optional<std::string> SecretField(const std::string& secret) {
  constexpr std::string_view kPrefix = "whsec_";
  constexpr size_t kMinBase64 = 24;
  if (secret.size() > kMaxWebhookSecretBytes) {
    return "webhook_secret must be at most " + std::to_string(kMaxWebhookSecretBytes) +
           " bytes, got " + std::to_string(secret.size());
  }
  const std::string_view encoded =
      std::string_view(secret).substr(secret.starts_with(kPrefix) ? kPrefix.size() : 0);
  if (!secret.starts_with(kPrefix) || encoded.size() < kMinBase64 || !auth::Base64Decode(encoded)) {
    // The secret itself is never quoted: messages reach logs.
    return "webhook_secret must be \"whsec_\" followed by at least 24 characters of standard "
           "base64 (A-Z a-z 0-9 + /, '=' padding to a multiple of 4): a Standard Webhooks secret";
  }
  return std::nullopt;
}
}  // namespace

std::optional<std::string> Validate(const CheckOptions& options, const ValidationLimits& limits) {
  if (auto problem = UrlField("url", options.url)) return problem;
  if (auto problem = UrlField("webhook_url", options.webhook_url)) return problem;
  if (!options.playbook_url.empty()) {
    if (auto problem = UrlField("playbook_url", options.playbook_url)) return problem;
  }
  if (auto p = Range("every", options.every_seconds, limits.min_every_seconds, kMaxEverySeconds,
                     " seconds")) {
    return p;
  }
  if (auto p = Range("timeout_ms", options.timeout_ms, 1, kMaxTimeoutMs)) return p;
  if (options.expected_status != 0) {
    if (auto p = Range("expected_status", options.expected_status, 100, 599,
                       " (or 0 for any 2xx)")) {
      return p;
    }
  }
  if (auto p = Range("failure_threshold", options.failure_threshold, 1, kMaxThreshold)) return p;
  if (auto p = Range("recovery_threshold", options.recovery_threshold, 1, kMaxThreshold)) return p;
  if (options.webhook_format != WebhookFormat::kProtobuf &&
      options.webhook_format != WebhookFormat::kJson) {
    return "webhook_format must be PROTOBUF or JSON";
  }
  if (!options.webhook_secret.empty()) {
    if (auto problem = SecretField(options.webhook_secret)) return problem;
  }
  return std::nullopt;
}

}  // namespace lokahi::checks
