#pragma once
// How every message quotes a value a client sent: bounded, so a 9 KB bad value cannot turn an
// INVALID_ARGUMENT into RESOURCE_EXHAUSTED (gRPC's metadata limit) or flood a log line.

#include <cstddef>
#include <string>
#include <string_view>

namespace lokahi::checks {

inline constexpr size_t kQuotedBytes = 100;

// `value` in double quotes, at most kQuotedBytes of it; a longer value is cut and followed by "…(N
// bytes)" giving its full size. Quotes, backslashes and bytes outside printable ASCII are escaped
// (\" \\ \xNN), so the result is one line of ASCII whatever the input.
std::string Quote(std::string_view value);

}  // namespace lokahi::checks
