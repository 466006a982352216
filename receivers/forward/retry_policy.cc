#include "receivers/forward/retry_policy.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>

namespace lokahi::receivers {

bool RetryPolicy::IsRetryable(const PostResult& result) {
  const long status = result.status_code;
  return status == 0 || status == 408 || status == 429 || status >= 500;
}

std::optional<std::chrono::milliseconds> RetryPolicy::NextDelay(int attempts_made,
                                                                const PostResult& result) const {
  if (result.Delivered() || !IsRetryable(result) || attempts_made >= max_attempts) {
    return std::nullopt;
  }
  if (result.retry_after) return *result.retry_after;
  auto delay = initial_backoff;
  for (int i = 1; i < attempts_made && delay < max_backoff; ++i) delay *= 2;
  return std::min(delay, max_backoff);
}

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

}  // namespace lokahi::receivers
