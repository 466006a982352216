#include "lib/checks/validation.h"

#include <strings.h>

#include <algorithm>
#include <cctype>
#include <iterator>

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
// Characters of valid UTF-8, or nullopt when `text` is not valid UTF-8.
std::optional<size_t> Utf8Chars(std::string_view text) {
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++chars) {
    const auto byte = static_cast<unsigned char>(text[i]);
    const size_t length = byte < 0x80           ? 1
                          : (byte >> 5) == 0x6  ? 2
                          : (byte >> 4) == 0xe  ? 3
                          : (byte >> 3) == 0x1e ? 4
                                                : 0;
    if (length == 0 || i + length > text.size()) return std::nullopt;
    for (size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) return std::nullopt;
    }
    i += length;
  }
  return chars;
}

std::optional<std::string> NameField(const std::string& name) {
  const auto chars = Utf8Chars(name);
  if (!chars) return "name must be UTF-8 text, got " + Quote(name);
  if (*chars > kMaxNameChars) {
    return "name must be at most " + std::to_string(kMaxNameChars) + " characters, got " +
           std::to_string(*chars);
  }
  for (const char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return "name must not hold control characters (newlines, tabs…), got " + Quote(name);
    }
  }
  return std::nullopt;
}

bool LabelChar(char c, bool slash_allowed) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-' || (slash_allowed && c == '/');
}
}  // namespace

std::optional<std::string> InvalidLabelKey(std::string_view key) {
  const bool chars_ok =
      std::all_of(key.begin(), key.end(), [](char c) { return LabelChar(c, true); });
  if (!key.empty() && key.size() <= kMaxLabelKeyBytes && chars_ok) return std::nullopt;
  return "label key must be 1 to 63 characters of A-Z a-z 0-9 . _ / -, got " + Quote(key);
}

std::optional<std::string> InvalidLabelValue(std::string_view key, std::string_view value) {
  const bool chars_ok =
      std::all_of(value.begin(), value.end(), [](char c) { return LabelChar(c, false); });
  if (value.size() <= kMaxLabelValueBytes && chars_ok) return std::nullopt;
  return "label " + std::string(key) +
         " must have a value of at most 63 characters of A-Z a-z 0-9 . _ -, got " + Quote(value);
}

std::optional<std::string> InvalidRequest(const RequestOptions& request) {
  static constexpr std::string_view kMethods[] = {"GET",   "HEAD",   "POST",   "PUT",
                                                  "PATCH", "DELETE", "OPTIONS"};
  if (std::find(std::begin(kMethods), std::end(kMethods), request.method) == std::end(kMethods)) {
    return "method must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, got " +
           Quote(request.method);
  }
  if (request.headers.size() > kMaxHeaders) {
    return "at most " + std::to_string(kMaxHeaders) + " headers, got " +
           std::to_string(request.headers.size());
  }
  for (const auto& header : request.headers) {
    // RFC 9110 token characters.
    const bool token = std::all_of(header.name.begin(), header.name.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) ||
             std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    });
    if (header.name.empty() || header.name.size() > kMaxHeaderNameBytes || !token) {
      return "header name must be 1 to " + std::to_string(kMaxHeaderNameBytes) +
             " characters of A-Z a-z 0-9 !#$%&'*+-.^_`|~, got " + Quote(header.name);
    }
    if (strcasecmp(header.name.c_str(), "Content-Length") == 0 ||
        strcasecmp(header.name.c_str(), "Transfer-Encoding") == 0) {
      return "header " + header.name + " is set by the prober from the body; leave it out";
    }
    const bool clean = std::none_of(header.value.begin(), header.value.end(),
                                    [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
    if (header.value.empty()) return "header " + header.name + " needs a value";
    if (header.value.size() > kMaxHeaderValueBytes || !clean || !Utf8Chars(header.value)) {
      return "header " + header.name + " must have a value of at most " +
             std::to_string(kMaxHeaderValueBytes) +
             " bytes of UTF-8 without line breaks or NUL (the value is not shown: it may be "
             "secret)";
    }
  }
  if (request.body.size() > kMaxRequestBodyBytes) {
    return "body must be at most " + std::to_string(kMaxRequestBodyBytes) + " bytes, got " +
           std::to_string(request.body.size());
  }
  if (!Utf8Chars(request.body)) return "body must be UTF-8 text";
  if (!request.body.empty() && (request.method == "GET" || request.method == "HEAD")) {
    return "body needs a method that sends one (POST, PUT, PATCH, DELETE or OPTIONS), not " +
           request.method;
  }
  if (request.ip_version != IpVersion::kAny && request.ip_version != IpVersion::kV4 &&
      request.ip_version != IpVersion::kV6) {
    return "ip_version must be any (0), 4 or 6, got " +
           std::to_string(static_cast<int>(request.ip_version));
  }
  return std::nullopt;
}

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
    if (auto p =
            Range("expected_status", options.expected_status, 100, 599, " (or 0 for any 2xx)")) {
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
  if (auto problem = NameField(options.name)) return problem;
  if (options.labels.size() > kMaxLabels) {
    return "at most " + std::to_string(kMaxLabels) + " labels, got " +
           std::to_string(options.labels.size());
  }
  for (const auto& [key, value] : options.labels) {
    if (auto problem = InvalidLabelKey(key)) return problem;
    if (auto problem = InvalidLabelValue(key, value)) return problem;
  }
  if (auto problem = InvalidRequest(options.request)) return problem;
  return std::nullopt;
}

}  // namespace lokahi::checks
