#include "lib/checks/state_machine.h"

#include <gtest/gtest.h>

#include <vector>

namespace lokahi::checks {
namespace {

// Feeds verdicts in order and returns the state after each.
std::vector<State> StatesAfter(std::vector<Verdict> verdicts, Thresholds thresholds = {}) {
  Tracking tracking;
  std::vector<State> states;
  for (auto v : verdicts) {
    tracking = Evaluate(tracking, v, thresholds).next;
    states.push_back(tracking.state);
  }
  return states;
}

using V = Verdict;
using S = State;

TEST(Judge, ExpectedStatus) {
  EXPECT_EQ(Judge(200, 0), V::kUp);
  EXPECT_EQ(Judge(204, 0), V::kUp);
  EXPECT_EQ(Judge(301, 0), V::kDown);
  EXPECT_EQ(Judge(500, 0), V::kDown);
  EXPECT_EQ(Judge(0, 0), V::kError);
  EXPECT_EQ(Judge(418, 418), V::kUp);
  EXPECT_EQ(Judge(200, 418), V::kDown);
}

TEST(StateMachine, FirstResultDecidesAtOnce) {
  EXPECT_EQ(StatesAfter({V::kUp}), std::vector<S>{S::kUp});
  EXPECT_EQ(StatesAfter({V::kDown}, {3, 3}), std::vector<S>{S::kDown});
  EXPECT_EQ(StatesAfter({V::kError}), std::vector<S>{S::kError});
}

TEST(StateMachine, LokahisBehaviourWithThresholdsOfOne) {
  // The pipeline scenario: 200 -> 500 -> refused -> too slow -> 200.
  EXPECT_EQ(StatesAfter({V::kUp, V::kDown, V::kError, V::kError, V::kUp}),
            (std::vector<S>{S::kUp, S::kDown, S::kError, S::kError, S::kUp}));
}

TEST(StateMachine, FailureThresholdSuppressesBlips) {
  EXPECT_EQ(StatesAfter({V::kUp, V::kDown, V::kUp, V::kDown, V::kDown, V::kDown}, {3, 1}),
            (std::vector<S>{S::kUp, S::kUp, S::kUp, S::kUp, S::kUp, S::kDown}));
}

TEST(StateMachine, MixedFailuresCountTogetherAndTheLastKindWins) {
  EXPECT_EQ(StatesAfter({V::kUp, V::kDown, V::kError}, {2, 1}),
            (std::vector<S>{S::kUp, S::kUp, S::kError}));
}

TEST(StateMachine, RecoveryThreshold) {
  EXPECT_EQ(StatesAfter({V::kDown, V::kUp, V::kDown, V::kUp, V::kUp}, {1, 2}),
            (std::vector<S>{S::kDown, S::kDown, S::kDown, S::kDown, S::kUp}));
}

TEST(StateMachine, ChangedOnlyOnRealChange) {
  Tracking t{S::kDown, 4, 0};
  EXPECT_FALSE(Evaluate(t, V::kDown, {}).changed);
  EXPECT_TRUE(Evaluate(t, V::kError, {}).changed);
  EXPECT_TRUE(Evaluate(t, V::kUp, {}).changed);
}

TEST(StateMachine, CountersReset) {
  const auto e = Evaluate({S::kUp, 2, 0}, V::kUp, {3, 1});
  EXPECT_EQ(e.next.consecutive_failures, 0);
  EXPECT_EQ(e.next.consecutive_successes, 1);
}

}  // namespace
}  // namespace lokahi::checks
