#include "lib/checks/validation.h"

#include "lib/checks/url.h"

namespace lokahi::checks {
namespace {
std::optional<std::string> Range(const char* field, int value, int min, int max,
                                 const char* unit = "") {
  if (value >= min && value <= max) return std::nullopt;
  return std::string(field) + " must be between " + std::to_string(min) + " and " +
         std::to_string(max) + unit + ", got " + std::to_string(value);
}

std::optional<std::string> UrlField(const char* field, const std::string& value) {
  std::string why;
  if (ParseHttpUrl(value, &why)) return std::nullopt;
  return std::string(field) + " " + why + (value.empty() ? "" : ": \"" + value + "\"");
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
  if (!options.webhook_secret.empty() &&
      (options.webhook_secret.rfind("whsec_", 0) != 0 || options.webhook_secret.size() < 6 + 24)) {
    return "webhook_secret must be \"whsec_\" followed by at least 24 base64 characters "
           "(a Standard Webhooks secret)";
  }
  return std::nullopt;
}

}  // namespace lokahi::checks
