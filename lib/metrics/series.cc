#include "lib/metrics/series.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace lokahi::metrics {

namespace {
const std::vector<double>& ValidatedBounds(const std::vector<double>& bounds) {
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i])) {
      throw std::invalid_argument("histogram bucket bound " + std::to_string(i) +
                                  " is not finite (+Inf is implicit)");
    }
    if (i > 0 && bounds[i] <= bounds[i - 1]) {
      throw std::invalid_argument("histogram bucket bounds must be strictly increasing; bound " +
                                  std::to_string(i) + " (" + std::to_string(bounds[i]) +
                                  ") is not above the one before");
    }
  }
  return bounds;
}
}  // namespace

Histogram::Histogram(std::vector<double> upper_bounds)
    : upper_bounds_(ValidatedBounds(upper_bounds)),
      bucket_counts_(std::make_unique<std::atomic<std::uint64_t>[]>(upper_bounds_.size() + 1)) {}

void Histogram::Observe(double value) noexcept {
  size_t bucket = upper_bounds_.size();
  if (!std::isnan(value)) {
    // The first bound >= value: Prometheus buckets are "less than or equal".
    bucket =
        std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), value) - upper_bounds_.begin();
    sum_.fetch_add(value, std::memory_order_relaxed);
  }
  bucket_counts_[bucket].fetch_add(1, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot snapshot;
  snapshot.upper_bounds = upper_bounds_;
  snapshot.cumulative.reserve(upper_bounds_.size() + 1);
  std::uint64_t running = 0;
  for (size_t i = 0; i <= upper_bounds_.size(); ++i) {
    running += bucket_counts_[i].load(std::memory_order_relaxed);
    snapshot.cumulative.push_back(running);
  }
  snapshot.count = running;
  snapshot.sum = sum_.load(std::memory_order_relaxed);
  return snapshot;
}

std::vector<double> ExponentialBuckets(double start, double factor, int count) {
  if (!(start > 0) || !(factor > 1) || count < 1) {
    throw std::invalid_argument("exponential buckets need start > 0, factor > 1, count >= 1");
  }
  std::vector<double> bounds;
  bounds.reserve(count);
  double bound = start;
  for (int i = 0; i < count; ++i, bound *= factor) bounds.push_back(bound);
  return bounds;
}

}  // namespace lokahi::metrics
