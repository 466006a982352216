#include "lib/store/log_buckets.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace lokahi::store {
namespace {

TEST(LogBucketsTest, QuantilesAreWithinTheBucketsPrecisionAtEveryScale) {
  for (const double scale : {50.0, 2'000.0, 350'000.0, 9e9}) {
    LogBuckets buckets;
    std::vector<double> values;
    std::mt19937_64 random(7);
    std::lognormal_distribution<double> spread(0, 0.5);
    for (int i = 0; i < 20'000; ++i) values.push_back(scale * spread(random));
    for (const double v : values) buckets.Add(v);
    std::sort(values.begin(), values.end());
    for (const double q : {0.5, 0.75, 0.95, 0.99}) {
      const double exact = values[static_cast<size_t>(std::ceil(q * values.size())) - 1];
      EXPECT_NEAR(buckets.Quantile(q) / exact, 1.0, 0.095) << "scale " << scale << " q " << q;
    }
  }
}

TEST(LogBucketsTest, EdgesAndEmpty) {
  LogBuckets empty;
  EXPECT_EQ(empty.Quantile(0.5), 0);
  EXPECT_EQ(LogBuckets::IndexOf(0), 0);
  EXPECT_EQ(LogBuckets::IndexOf(-5), 0);
  EXPECT_EQ(LogBuckets::IndexOf(std::nan("")), 0);
  EXPECT_EQ(LogBuckets::IndexOf(1), 1);
  EXPECT_EQ(LogBuckets::IndexOf(1e30), LogBuckets::kCount - 1);
  // Each bucket's middle falls inside it.
  for (int i = 1; i < LogBuckets::kCount; ++i) {
    EXPECT_EQ(LogBuckets::IndexOf(LogBuckets::MiddleMicros(i)), i);
  }
}

TEST(LogBucketsTest, MergingBucketsEqualsAddingTheValues) {
  LogBuckets a, b, together;
  for (int i = 1; i <= 300; ++i) {
    (i % 3 ? a : b).Add(i * 10.0);
    together.Add(i * 10.0);
  }
  LogBuckets merged;
  for (const auto* part : {&a, &b}) {
    for (const auto& [index, count] : part->buckets()) merged.AddBucket(index, count);
  }
  EXPECT_EQ(merged.total(), 300);
  EXPECT_EQ(merged.buckets(), together.buckets());
  EXPECT_EQ(merged.Quantile(0.99), together.Quantile(0.99));
}

}  // namespace
}  // namespace lokahi::store
