#include "receivers/forward/retry_after.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>

namespace lokahi::receivers {

std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value) {
  const auto first = value.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return std::nullopt;
  const auto last = value.find_last_not_of(" \t\r\n");
  const std::string text(value.substr(first, last - first + 1));
  char* end = nullptr;
  const double seconds = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(seconds) || seconds < 0) {
    return std::nullopt;
  }
  constexpr double kMaxSeconds = 3600;
  return std::chrono::milliseconds(std::llround(std::min(seconds, kMaxSeconds) * 1000));
}

std::optional<std::chrono::milliseconds> RateLimitPause(std::string_view remaining,
                                                        std::string_view reset_after) {
  const auto left = ParseRetryAfter(remaining);  // a count, read as the same plain number
  if (!left || *left != std::chrono::milliseconds(0)) return std::nullopt;
  return ParseRetryAfter(reset_after).value_or(std::chrono::seconds(1));
}

}  // namespace lokahi::receivers
