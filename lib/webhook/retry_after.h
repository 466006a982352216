#pragma once
// Parses an HTTP Retry-After header (RFC 9110 10.2.3): delay-seconds or an HTTP-date.

#include <chrono>
#include <optional>
#include <string_view>

namespace lokahi::webhook {

// How long the receiver asks us to wait, measured from `now`; a date in the past gives zero.
// Nullopt when the value is neither form (the caller then uses its own backoff).
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value,
                                                         std::chrono::system_clock::time_point now);

}  // namespace lokahi::webhook
