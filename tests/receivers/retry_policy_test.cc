#include "receivers/forward/retry_policy.h"

#include <gtest/gtest.h>

namespace lokahi::receivers {
namespace {

using std::chrono::milliseconds;

PostResult Status(long code) { return PostResult{code, code == 0 ? "timeout" : "", std::nullopt}; }

TEST(RetryPolicyTest, DoublesTheBackoffUntilAttemptsRunOut) {
  const RetryPolicy policy{5, milliseconds(100), milliseconds(350)};
  EXPECT_EQ(policy.NextDelay(1, Status(500)), milliseconds(100));
  EXPECT_EQ(policy.NextDelay(2, Status(502)), milliseconds(200));
  EXPECT_EQ(policy.NextDelay(3, Status(0)), milliseconds(350));  // capped
  EXPECT_EQ(policy.NextDelay(4, Status(503)), milliseconds(350));
  EXPECT_EQ(policy.NextDelay(5, Status(500)),
            std::nullopt);  // five attempts made
}

TEST(RetryPolicyTest, GivesUpOnSuccessAndOnAnswersThatWillNotChange) {
  const RetryPolicy policy;
  EXPECT_EQ(policy.NextDelay(1, Status(204)), std::nullopt);
  EXPECT_EQ(policy.NextDelay(1, Status(400)), std::nullopt);
  EXPECT_EQ(policy.NextDelay(1, Status(404)), std::nullopt);
  EXPECT_NE(policy.NextDelay(1, Status(408)), std::nullopt);
  EXPECT_NE(policy.NextDelay(1, Status(429)), std::nullopt);
}

TEST(RetryPolicyTest, HonoursRetryAfter) {
  const RetryPolicy policy{5, milliseconds(100), milliseconds(1000)};
  PostResult limited{429, "rate limited", milliseconds(2500)};
  EXPECT_EQ(policy.NextDelay(1, limited), milliseconds(2500));
  limited.retry_after = milliseconds(0);
  EXPECT_EQ(policy.NextDelay(1, limited), milliseconds(0));
  EXPECT_EQ(policy.NextDelay(5, limited), std::nullopt);
}

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
