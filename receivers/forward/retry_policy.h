#pragma once
// When to try a failed chat post again, and how long to wait first. Pure: no clock, no sleeping.

#include <chrono>
#include <optional>
#include <string_view>

#include "receivers/forward/json_poster.h"

namespace lokahi::receivers {

struct RetryPolicy {
  int max_attempts = 5;  // including the first
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{60000};

  // No answer, 408, 429 and 5xx may succeed later; other statuses (a deleted webhook's 404, a
  // rejected payload's 400) will not, so retrying them only delays the log line that says so.
  static bool IsRetryable(const PostResult& result);

  // The wait before the next attempt, after `attempts_made` attempts of which the last ended in
  // `result`; nullopt to give up (delivered, not retryable, or out of attempts). The wait doubles
  // from initial_backoff up to max_backoff, unless the service said how long in Retry-After:
  // that is honoured as given, since asking earlier only earns another 429.
  std::optional<std::chrono::milliseconds> NextDelay(int attempts_made,
                                                     const PostResult& result) const;
};

// A Retry-After value in delta-seconds, decimals allowed (Discord sends "1.5"), surrounding
// whitespace ignored; capped at one hour. nullopt for an HTTP-date or anything unparsable, which
// leaves the choice to the backoff.
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value);

}  // namespace lokahi::receivers
