#pragma once
// The metric values a daemon updates on its hot path. Every method is thread-safe and lock-free:
// an update is one or two relaxed atomic operations, with no lookup. A Registry owns these objects
// and hands out references that stay valid for the registry's lifetime.

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace lokahi::metrics {

// A count that only goes up (events, bytes).
class Counter final {
 public:
  void Increment(std::uint64_t by = 1) noexcept { value_.fetch_add(by, std::memory_order_relaxed); }
  std::uint64_t Value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// A value that goes up and down (in flight, queue depth, last batch size).
class Gauge final {
 public:
  void Set(double value) noexcept { value_.store(value, std::memory_order_relaxed); }
  void Add(double delta) noexcept { value_.fetch_add(delta, std::memory_order_relaxed); }
  void Increment() noexcept { Add(1); }
  void Decrement() noexcept { Add(-1); }
  double Value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Observations counted into fixed buckets chosen at registration.
class Histogram final {
 public:
  // `upper_bounds` must be finite and strictly increasing; the +Inf bucket is implicit. Throws
  // std::invalid_argument otherwise.
  explicit Histogram(std::vector<double> upper_bounds);

  // A NaN observation is counted in the +Inf bucket and left out of the sum, so one bad
  // measurement does not poison the sum forever.
  void Observe(double value) noexcept;

  struct Snapshot {
    std::vector<double> upper_bounds;       // without +Inf
    std::vector<std::uint64_t> cumulative;  // one per bound, then +Inf; never decreasing
    double sum = 0;
    std::uint64_t count = 0;  // equals cumulative.back()
  };
  // Consistent enough for scraping: counts and sum are read one after another, not atomically
  // together, but the count always equals the +Inf bucket.
  Snapshot Read() const;

  const std::vector<double>& upper_bounds() const { return upper_bounds_; }

 private:
  const std::vector<double> upper_bounds_;
  const std::unique_ptr<std::atomic<std::uint64_t>[]> bucket_counts_;  // bounds + 1 (+Inf)
  std::atomic<double> sum_{0};
};

// `count` bounds: start, start*factor, start*factor^2, … (start > 0, factor > 1).
std::vector<double> ExponentialBuckets(double start, double factor, int count);

}  // namespace lokahi::metrics
