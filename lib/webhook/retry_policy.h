#pragma once
// When to try a failed webhook delivery again. Pure: the random source and every duration come in
// as arguments, so tests control them exactly.

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <variant>

namespace lokahi::webhook {

// Uniform doubles in [0, 1). Not thread-safe; one per delivery loop.
class RandomSource {
 public:
  virtual ~RandomSource() = default;
  virtual double NextUnit() = 0;
};

class Mt19937Random final : public RandomSource {
 public:
  explicit Mt19937Random(uint64_t seed) : engine_(seed) {}
  double NextUnit() override { return distribution_(engine_); }

 private:
  std::mt19937_64 engine_;
  std::uniform_real_distribution<double> distribution_{0.0, 1.0};
};

struct RetryPolicy {
  std::chrono::milliseconds base{1000};
  std::chrono::milliseconds cap{600000};
  // A receiver's Retry-After is honoured up to this long, so a bad header cannot park an alert.
  std::chrono::milliseconds max_retry_after{3600000};
};

struct RetryIn {
  std::chrono::milliseconds delay;
};
struct GiveUp {};
using RetryDecision = std::variant<RetryIn, GiveUp>;

// Exponential backoff with full jitter: after failed attempt `attempt` (1-based) the delay is
// uniform in [0, min(cap, base * 2^(attempt-1))]. A Retry-After from the receiver raises the delay
// to at least what it asked (bounded by max_retry_after). Gives up when the next attempt would
// not start before the delivery deadline, `until_deadline` from now.
RetryDecision DecideRetry(const RetryPolicy& policy, int attempt,
                          std::optional<std::chrono::milliseconds> retry_after,
                          std::chrono::milliseconds until_deadline, RandomSource& random);

// The upper bound of the jittered delay after `attempt`: min(cap, base * 2^(attempt-1)).
std::chrono::milliseconds BackoffCeiling(const RetryPolicy& policy, int attempt);

}  // namespace lokahi::webhook
