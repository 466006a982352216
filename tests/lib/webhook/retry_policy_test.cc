#include "lib/webhook/retry_policy.h"

#include <gtest/gtest.h>

#include <deque>

namespace lokahi::webhook {
namespace {

using std::chrono::milliseconds;

// Returns the given values in turn, then repeats the last one.
class FixedRandom final : public RandomSource {
 public:
  explicit FixedRandom(std::deque<double> values) : values_(std::move(values)) {}
  double NextUnit() override {
    const double v = values_.front();
    if (values_.size() > 1) values_.pop_front();
    return v;
  }

 private:
  std::deque<double> values_;
};

constexpr milliseconds kFarDeadline = milliseconds(86400000);

milliseconds Delay(const RetryDecision& decision) {
  EXPECT_TRUE(std::holds_alternative<RetryIn>(decision));
  return std::holds_alternative<RetryIn>(decision) ? std::get<RetryIn>(decision).delay
                                                   : milliseconds(-1);
}

TEST(RetryPolicyTest, CeilingDoublesFromBaseUpToCap) {
  const RetryPolicy policy{milliseconds(1000), milliseconds(600000)};
  EXPECT_EQ(BackoffCeiling(policy, 1), milliseconds(1000));
  EXPECT_EQ(BackoffCeiling(policy, 2), milliseconds(2000));
  EXPECT_EQ(BackoffCeiling(policy, 3), milliseconds(4000));
  EXPECT_EQ(BackoffCeiling(policy, 10), milliseconds(512000));
  EXPECT_EQ(BackoffCeiling(policy, 11), milliseconds(600000));
  EXPECT_EQ(BackoffCeiling(policy, 1000000), milliseconds(600000));
  EXPECT_EQ(BackoffCeiling(policy, 0), milliseconds(1000));
}

TEST(RetryPolicyTest, FullJitterSpansZeroToCeiling) {
  const RetryPolicy policy;
  FixedRandom low({0.0});
  EXPECT_EQ(Delay(DecideRetry(policy, 3, std::nullopt, kFarDeadline, low)), milliseconds(0));
  FixedRandom mid({0.5});
  EXPECT_EQ(Delay(DecideRetry(policy, 3, std::nullopt, kFarDeadline, mid)), milliseconds(2000));
  FixedRandom high({0.99999});
  EXPECT_EQ(Delay(DecideRetry(policy, 3, std::nullopt, kFarDeadline, high)), milliseconds(3999));
  FixedRandom capped({0.5});
  EXPECT_EQ(Delay(DecideRetry(policy, 40, std::nullopt, kFarDeadline, capped)),
            milliseconds(300000));
}

TEST(RetryPolicyTest, RealRandomStaysWithinBoundsAndVaries) {
  const RetryPolicy policy;
  Mt19937Random random(7);
  for (int attempt = 1; attempt <= 15; ++attempt) {
    milliseconds smallest = milliseconds::max(), largest = milliseconds(0);
    for (int i = 0; i < 200; ++i) {
      const auto d = Delay(DecideRetry(policy, attempt, std::nullopt, kFarDeadline, random));
      ASSERT_GE(d, milliseconds(0));
      ASSERT_LE(d, BackoffCeiling(policy, attempt));
      smallest = std::min(smallest, d);
      largest = std::max(largest, d);
    }
    // Jitter spreads the delays over most of the range.
    EXPECT_LT(smallest, BackoffCeiling(policy, attempt) / 4) << attempt;
    EXPECT_GT(largest, BackoffCeiling(policy, attempt) * 3 / 4) << attempt;
  }
}

TEST(RetryPolicyTest, RetryAfterRaisesTheDelayButNeverLowersIt) {
  const RetryPolicy policy;
  FixedRandom zero({0.0});
  EXPECT_EQ(Delay(DecideRetry(policy, 1, milliseconds(30000), kFarDeadline, zero)),
            milliseconds(30000));
  FixedRandom half({0.5});
  EXPECT_EQ(Delay(DecideRetry(policy, 5, milliseconds(1000), kFarDeadline, half)),
            milliseconds(8000));
}

TEST(RetryPolicyTest, RetryAfterIsBoundedByMaxRetryAfter) {
  const RetryPolicy policy{milliseconds(1000), milliseconds(600000), milliseconds(3600000)};
  FixedRandom zero({0.0});
  EXPECT_EQ(Delay(DecideRetry(policy, 1, milliseconds(99999999), kFarDeadline, zero)),
            milliseconds(3600000));
}

TEST(RetryPolicyTest, GivesUpWhenTheNextAttemptWouldMissTheDeadline) {
  const RetryPolicy policy;
  FixedRandom half({0.5});
  EXPECT_TRUE(std::holds_alternative<GiveUp>(
      DecideRetry(policy, 3, std::nullopt, milliseconds(2000), half)));
  FixedRandom again({0.5});
  EXPECT_EQ(Delay(DecideRetry(policy, 3, std::nullopt, milliseconds(2001), again)),
            milliseconds(2000));
  FixedRandom zero({0.0});
  EXPECT_TRUE(
      std::holds_alternative<GiveUp>(DecideRetry(policy, 1, std::nullopt, milliseconds(0), zero)));
  FixedRandom late({0.0});
  EXPECT_TRUE(std::holds_alternative<GiveUp>(
      DecideRetry(policy, 1, milliseconds(60000), milliseconds(59000), late)));
}

}  // namespace
}  // namespace lokahi::webhook
