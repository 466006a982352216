#pragma once
// A histogram of durations in logarithmic buckets, four per doubling from 1 µs: a quantile read
// from it is within ~9 % of the true value whatever the scale. Result batches carry one each so
// runstats sums a few thousand small histograms instead of sorting millions of results. Pure.

#include <cstdint>
#include <map>
#include <vector>

namespace lokahi::store {

class LogBuckets {
 public:
  static constexpr int kPerDoubling = 4;
  // Bucket 0 holds everything under 1 µs; the last one everything from 2^40 µs (~12 days).
  static constexpr int kCount = 1 + 40 * kPerDoubling;

  static int IndexOf(double micros);
  // The geometric middle of a bucket, in µs: what a quantile that falls in it reads as.
  static double MiddleMicros(int index);

  void Add(double micros, int64_t count = 1);
  void AddBucket(int index, int64_t count);

  int64_t total() const { return total_; }
  // The value (µs) at quantile q in [0, 1]; 0 when empty.
  double Quantile(double q) const;

  // Only the non-empty buckets, index -> count: what is stored.
  const std::map<int, int64_t>& buckets() const { return counts_; }

 private:
  std::map<int, int64_t> counts_;
  int64_t total_ = 0;
};

}  // namespace lokahi::store
