#include "lib/webhook/retry_policy.h"

#include <algorithm>
#include <cmath>

namespace lokahi::webhook {

std::chrono::milliseconds BackoffCeiling(const RetryPolicy& policy, int attempt) {
  const int doublings = std::clamp(attempt - 1, 0, 62);
  // Doubling in floating point cannot overflow; the cap bounds the result.
  const double ceiling = static_cast<double>(policy.base.count()) * std::ldexp(1.0, doublings);
  const double capped = std::min(ceiling, static_cast<double>(policy.cap.count()));
  return std::chrono::milliseconds(static_cast<int64_t>(capped));
}

RetryDecision DecideRetry(const RetryPolicy& policy, int attempt,
                          std::optional<std::chrono::milliseconds> retry_after,
                          std::chrono::milliseconds until_deadline, RandomSource& random) {
  const auto ceiling = BackoffCeiling(policy, attempt);
  const double unit = std::clamp(random.NextUnit(), 0.0, 1.0);
  auto delay =
      std::chrono::milliseconds(static_cast<int64_t>(unit * static_cast<double>(ceiling.count())));
  if (retry_after) {
    delay = std::max(
        delay, std::clamp(*retry_after, std::chrono::milliseconds(0), policy.max_retry_after));
  }
  if (delay >= until_deadline) return GiveUp{};
  return RetryIn{delay};
}

}  // namespace lokahi::webhook
