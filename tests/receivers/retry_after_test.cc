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

}  // namespace
}  // namespace lokahi::receivers
