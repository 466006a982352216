#pragma once
// Validation of user-supplied check options. Messages name the field and say what is allowed, so
// the API can return them as INVALID_ARGUMENT unchanged.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "lib/checks/check.h"

namespace lokahi::checks {

// URLs (url, webhook_url, playbook_url) are at most url::kMaxUrlBytes (8 KB), parsed as libcurl
// parses them (lib/url), so a check is accepted exactly when the prober can fetch its URL.
inline constexpr size_t kMaxWebhookSecretBytes = 256;
inline constexpr size_t kMaxNameChars = 200;  // UTF-8 characters
inline constexpr size_t kMaxLabels = 32;
inline constexpr size_t kMaxLabelKeyBytes = 63;
inline constexpr size_t kMaxLabelValueBytes = 63;

// A label key ([A-Za-z0-9._/-]{1,63}) or value ([A-Za-z0-9._-]{0,63}); nullopt when valid.
std::optional<std::string> InvalidLabelKey(std::string_view key);
std::optional<std::string> InvalidLabelValue(std::string_view key, std::string_view value);

inline constexpr size_t kMaxHeaders = 32;
inline constexpr size_t kMaxHeaderNameBytes = 256;
inline constexpr size_t kMaxHeaderValueBytes = 8192;
inline constexpr size_t kMaxRequestBodyBytes = 64 * 1024;

// The first problem with how a probe asks (method, headers, body, ip_version), or nullopt.
// lokahid and the healthworkers (which decode the same options from NATS) share it. Header
// values are never quoted: they may hold tokens.
std::optional<std::string> InvalidRequest(const RequestOptions& request);

struct ValidationLimits {
  int min_every_seconds = kDefaultMinEverySeconds;
};

// Expects defaults applied. Returns the first problem found, or nullopt when valid.
std::optional<std::string> Validate(const CheckOptions& options, const ValidationLimits& limits);

}  // namespace lokahi::checks
