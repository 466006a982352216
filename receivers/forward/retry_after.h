#pragma once
// Reading a chat service's Retry-After, so a relay can pass the wait on to lokahi. Pure.

#include <chrono>
#include <optional>
#include <string_view>

namespace lokahi::receivers {

// A Retry-After value in delta-seconds, decimals allowed (Discord sends "1.5"), surrounding
// whitespace ignored; capped at one hour. nullopt for an HTTP-date or anything unparsable.
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value);

// Discord announces a webhook's rate limit on every answer, before refusing anything: with
// `X-RateLimit-Remaining: 0`, posts sent before `X-RateLimit-Reset-After` seconds (decimals
// allowed, read like Retry-After) would get 429. Returns how long to hold the next post: the reset
// delay when none remain (1 s when the delay is missing or unreadable); nullopt when posts remain
// or the headers are absent (Slack sends none).
std::optional<std::chrono::milliseconds> RateLimitPause(std::string_view remaining,
                                                        std::string_view reset_after);

}  // namespace lokahi::receivers
