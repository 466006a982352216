#include "lib/store/log_buckets.h"

#include <algorithm>
#include <cmath>

namespace lokahi::store {

int LogBuckets::IndexOf(double micros) {
  if (!(micros >= 1.0)) return 0;  // also NaN
  const int index = 1 + static_cast<int>(std::floor(std::log2(micros) * kPerDoubling));
  return std::min(index, kCount - 1);
}

double LogBuckets::MiddleMicros(int index) {
  if (index <= 0) return 0.5;
  return std::exp2((index - 0.5) / kPerDoubling);
}

void LogBuckets::Add(double micros, int64_t count) { AddBucket(IndexOf(micros), count); }

void LogBuckets::AddBucket(int index, int64_t count) {
  if (count <= 0) return;
  counts_[std::clamp(index, 0, kCount - 1)] += count;
  total_ += count;
}

double LogBuckets::Quantile(double q) const {
  if (total_ == 0) return 0;
  // The smallest bucket whose cumulative count reaches rank ceil(q * total), at least the first.
  const auto rank = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(q * total_)));
  int64_t seen = 0;
  for (const auto& [index, count] : counts_) {
    seen += count;
    if (seen >= rank) return MiddleMicros(index);
  }
  return MiddleMicros(counts_.rbegin()->first);
}

}  // namespace lokahi::store
