#include "lib/metrics/series.h"

#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>

namespace lokahi::metrics {
namespace {

TEST(HistogramTest, CountsEachObservationInTheFirstBucketAtOrAboveIt) {
  Histogram histogram({1, 2, 5});
  for (double v : {0.5, 1.0, 1.5, 2.0, 4.9, 5.0, 7.0}) histogram.Observe(v);
  const auto snapshot = histogram.Read();
  // le=1: 0.5, 1.0; le=2: +1.5, 2.0; le=5: +4.9, 5.0; +Inf: +7.0
  EXPECT_EQ(snapshot.cumulative, (std::vector<std::uint64_t>{2, 4, 6, 7}));
  EXPECT_EQ(snapshot.count, 7u);
  EXPECT_DOUBLE_EQ(snapshot.sum, 0.5 + 1 + 1.5 + 2 + 4.9 + 5 + 7);
}

TEST(HistogramTest, NaNGoesToInfBucketAndLeavesSumAlone) {
  Histogram histogram({1});
  histogram.Observe(0.25);
  histogram.Observe(std::numeric_limits<double>::quiet_NaN());
  const auto snapshot = histogram.Read();
  EXPECT_EQ(snapshot.cumulative, (std::vector<std::uint64_t>{1, 2}));
  EXPECT_DOUBLE_EQ(snapshot.sum, 0.25);
}

TEST(HistogramTest, RejectsBoundsThatAreNotStrictlyIncreasingOrFinite) {
  EXPECT_THROW(Histogram({1, 1}), std::invalid_argument);
  EXPECT_THROW(Histogram({2, 1}), std::invalid_argument);
  EXPECT_THROW(Histogram({1, std::numeric_limits<double>::infinity()}), std::invalid_argument);
  EXPECT_NO_THROW(Histogram(std::vector<double>{}));
}

TEST(HistogramTest, ExponentialBucketsMultiply) {
  EXPECT_EQ(ExponentialBuckets(0.001, 10, 4), (std::vector<double>{0.001, 0.01, 0.1, 1}));
  EXPECT_THROW(ExponentialBuckets(0, 2, 3), std::invalid_argument);
  EXPECT_THROW(ExponentialBuckets(1, 1, 3), std::invalid_argument);
  EXPECT_THROW(ExponentialBuckets(1, 2, 0), std::invalid_argument);
}

TEST(GaugeTest, SetsAddsAndGoesNegative) {
  Gauge gauge;
  gauge.Set(5);
  gauge.Add(2.5);
  gauge.Decrement();
  EXPECT_DOUBLE_EQ(gauge.Value(), 6.5);
  gauge.Set(-1);
  EXPECT_DOUBLE_EQ(gauge.Value(), -1);
}

}  // namespace
}  // namespace lokahi::metrics
