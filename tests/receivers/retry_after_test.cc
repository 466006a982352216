#include "receivers/forward/retry_after.h"

#include <gtest/gtest.h>

namespace lokahi::receivers {
namespace {

using std::chrono::milliseconds;

TEST(ParseRetryAfterTest, ReadsSecondsWithFractions) {
  EXPECT_EQ(ParseRetryAfter("2"), milliseconds(2000));
  EXPECT_EQ(ParseRetryAfter(" 1.5\r\n"), milliseconds(1500));
  EXPECT_EQ(ParseRetryAfter("0"), milliseconds(0));
  EXPECT_EQ(ParseRetryAfter("99999"), milliseconds(3'600'000));
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT"), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("-1"), std::nullopt);
  EXPECT_EQ(ParseRetryAfter(""), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("3s"), std::nullopt);
}

TEST(RateLimitPauseTest, HoldsPostsOnlyWhenNoneRemain) {
  EXPECT_EQ(RateLimitPause(" 0\r\n", " 1.25\r\n"), milliseconds(1250));
  EXPECT_EQ(RateLimitPause("0", ""),
            milliseconds(1000));  // no reset delay: a second
  EXPECT_EQ(RateLimitPause("0", "soon"), milliseconds(1000));
  EXPECT_EQ(RateLimitPause("4", "1.25"), std::nullopt);
  EXPECT_EQ(RateLimitPause("", ""), std::nullopt);  // Slack: no such headers
  EXPECT_EQ(RateLimitPause("many", "1"), std::nullopt);
}

}  // namespace
}  // namespace lokahi::receivers
