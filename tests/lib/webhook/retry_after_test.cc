#include "lib/webhook/retry_after.h"

#include <gtest/gtest.h>

namespace lokahi::webhook {
namespace {

using std::chrono::milliseconds;

// Sun, 06 Nov 1994 08:49:37 GMT, the RFC's example date.
const auto kRfcExample = std::chrono::system_clock::from_time_t(784111777);

TEST(RetryAfterTest, DelaySeconds) {
  EXPECT_EQ(ParseRetryAfter("120", kRfcExample), milliseconds(120000));
  EXPECT_EQ(ParseRetryAfter(" 0 \r\n", kRfcExample), milliseconds(0));
  EXPECT_EQ(ParseRetryAfter("5", kRfcExample), milliseconds(5000));
}

TEST(RetryAfterTest, AllThreeHttpDateForms) {
  const auto now = kRfcExample - std::chrono::seconds(90);
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now), milliseconds(90000));
  EXPECT_EQ(ParseRetryAfter("Sunday, 06-Nov-94 08:49:37 GMT", now), milliseconds(90000));
  EXPECT_EQ(ParseRetryAfter("Sun Nov  6 08:49:37 1994", now), milliseconds(90000));
}

TEST(RetryAfterTest, DateInThePastMeansNow) {
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", kRfcExample + std::chrono::hours(1)),
            milliseconds(0));
}

TEST(RetryAfterTest, DateBeyondTheClockRangeIsALongWaitNotAnOverflow) {
  // Found by tests/fuzz/retry_after_fuzzer: converting a year-9999 date overflowed.
  const auto wait = ParseRetryAfter("Fri, 31 Dec 9999 23:59:59 GMT", kRfcExample);
  ASSERT_TRUE(wait.has_value());
  EXPECT_GT(*wait, std::chrono::hours(24 * 365 * 100));
}

TEST(RetryAfterTest, RejectsGarbage) {
  EXPECT_FALSE(ParseRetryAfter("", kRfcExample));
  EXPECT_FALSE(ParseRetryAfter("-5", kRfcExample));
  EXPECT_FALSE(ParseRetryAfter("1.5", kRfcExample));
  EXPECT_FALSE(ParseRetryAfter("soon", kRfcExample));
  EXPECT_FALSE(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT trailing", kRfcExample));
  EXPECT_FALSE(ParseRetryAfter("99999999999999999999", kRfcExample));
}

}  // namespace
}  // namespace lokahi::webhook
