#include "lib/metrics/exposition.h"

#include <gtest/gtest.h>

#include <limits>

namespace lokahi::metrics {
namespace {

TEST(ExpositionTest, MetricNamesFollowPrometheusRules) {
  EXPECT_TRUE(IsValidMetricName("lokahi_probes_total"));
  EXPECT_TRUE(IsValidMetricName("job:rate5m"));
  EXPECT_TRUE(IsValidMetricName("_x1"));
  EXPECT_FALSE(IsValidMetricName(""));
  EXPECT_FALSE(IsValidMetricName("1abc"));
  EXPECT_FALSE(IsValidMetricName("has-dash"));
  EXPECT_FALSE(IsValidMetricName("has space"));
}

TEST(ExpositionTest, LabelNamesRejectColonsAndReservedPrefix) {
  EXPECT_TRUE(IsValidLabelName("outcome"));
  EXPECT_TRUE(IsValidLabelName("_private"));
  EXPECT_FALSE(IsValidLabelName("__name__"));
  EXPECT_FALSE(IsValidLabelName("a:b"));
  EXPECT_FALSE(IsValidLabelName("9lives"));
  EXPECT_FALSE(IsValidLabelName(""));
}

TEST(ExpositionTest, EscapesHelpAndLabelValues) {
  EXPECT_EQ(EscapeHelp("a\\b\nc \"q\""), "a\\\\b\\nc \"q\"");
  EXPECT_EQ(EscapeLabelValue("a\\b\nc \"q\""), "a\\\\b\\nc \\\"q\\\"");
}

TEST(ExpositionTest, FormatsNumbersSoTheyReadBackExactly) {
  EXPECT_EQ(FormatSampleValue(0), "0");
  EXPECT_EQ(FormatSampleValue(3), "3");
  EXPECT_EQ(FormatSampleValue(0.005), "0.005");
  EXPECT_EQ(FormatSampleValue(0.0005), "0.0005");  // bucket labels as Go's client writes them
  EXPECT_EQ(FormatSampleValue(0.00005), "5e-05");
  EXPECT_EQ(FormatSampleValue(1e6), "1e+06");
  EXPECT_EQ(FormatSampleValue(1.024), "1.024");
  EXPECT_EQ(FormatSampleValue(-2.5), "-2.5");
  EXPECT_EQ(std::stod(FormatSampleValue(0.1 + 0.2)), 0.1 + 0.2);
  EXPECT_EQ(FormatSampleValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatSampleValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatSampleValue(std::numeric_limits<double>::quiet_NaN()), "NaN");
}

}  // namespace
}  // namespace lokahi::metrics
