#pragma once
// Reading a chat service's Retry-After, so a relay can pass the wait on to lokahi. Pure.

#include <chrono>
#include <optional>
#include <string_view>

namespace lokahi::receivers {

// A Retry-After value in delta-seconds, decimals allowed (Discord sends "1.5"), surrounding
// whitespace ignored; capped at one hour. nullopt for an HTTP-date or anything unparsable.
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value);

}  // namespace lokahi::receivers
