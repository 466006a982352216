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

TEST(StateMachine, FirstSuccessIsUpAtOnce) {
  EXPECT_EQ(StatesAfter({V::kUp}), std::vector<S>{S::kUp});
  EXPECT_EQ(StatesAfter({V::kUp}, {3, 3}), std::vector<S>{S::kUp});
  EXPECT_EQ(StatesAfter({V::kDown, V::kUp}, {3, 3}), (std::vector<S>{S::kInit, S::kUp}));
}

TEST(StateMachine, FirstFailuresWaitForTheFailureThreshold) {
  // Thresholds of one: lokahi's behaviour, the first failure decides.
  EXPECT_EQ(StatesAfter({V::kDown}), std::vector<S>{S::kDown});
  EXPECT_EQ(StatesAfter({V::kError}), std::vector<S>{S::kError});
  // A new check whose first answer is a 503 stays INIT (and so sends nothing) until the third.
  EXPECT_EQ(StatesAfter({V::kDown, V::kDown, V::kDown}, {3, 1}),
            (std::vector<S>{S::kInit, S::kInit, S::kDown}));
  // Mixed failures count together; the last kind wins.
  EXPECT_EQ(StatesAfter({V::kError, V::kDown, V::kError}, {3, 1}),
            (std::vector<S>{S::kInit, S::kInit, S::kError}));
}

TEST(StateMachine, InitSendsNothingBeforeTheThreshold) {
  Tracking t;
  auto e = Evaluate(t, V::kDown, {3, 2});
  EXPECT_FALSE(e.changed);
  EXPECT_EQ(e.next, (Tracking{S::kInit, 1, 0}));
  e = Evaluate(e.next, V::kError, {3, 2});
  EXPECT_FALSE(e.changed);
  e = Evaluate(e.next, V::kDown, {3, 2});
  EXPECT_TRUE(e.changed);
  EXPECT_EQ(e.next.state, S::kDown);
}

TEST(StateMachine, FlappingTargetWithRecoveryThresholdIsNotStuckDown) {
  // Never three failures in a row: the check is UP, whatever the first answer was.
  EXPECT_EQ(StatesAfter({V::kDown, V::kUp, V::kDown, V::kUp, V::kDown, V::kUp}, {3, 2}),
            (std::vector<S>{S::kInit, S::kUp, S::kUp, S::kUp, S::kUp, S::kUp}));
}

TEST(StateMachine, ErrorBurstThenFlappingIsNotStuckDown) {
  // Two timeouts (fewer than the threshold), then a target flapping between 503 and 200.
  EXPECT_EQ(StatesAfter({V::kError, V::kError, V::kUp, V::kDown, V::kUp, V::kDown, V::kUp}, {3, 2}),
            (std::vector<S>{S::kInit, S::kInit, S::kUp, S::kUp, S::kUp, S::kUp, S::kUp}));
  // A real ERROR burst: it recovers after two successes in a row even though its failures
  // switched between ERROR and DOWN on the way.
  EXPECT_EQ(
      StatesAfter({V::kUp, V::kError, V::kError, V::kError, V::kDown, V::kUp, V::kUp}, {3, 2}),
      (std::vector<S>{S::kUp, S::kUp, S::kUp, S::kError, S::kDown, S::kDown, S::kUp}));
}

TEST(StateMachine, FailureKindChangeNotifiesByDefault) {
  EXPECT_TRUE(Thresholds{}.notify_failure_kind_change);
  EXPECT_TRUE(Evaluate({S::kDown, 4, 0}, V::kError, {}).changed);
  EXPECT_TRUE(Evaluate({S::kError, 4, 0}, V::kDown, {}).changed);
}

TEST(StateMachine, FailureKindChangeCanStaySilent) {
  const Thresholds quiet{1, 1, false};
  // Already failing: a timeout after a 503 (and back) keeps the state it entered.
  EXPECT_EQ(StatesAfter({V::kUp, V::kDown, V::kError, V::kDown, V::kError, V::kUp}, quiet),
            (std::vector<S>{S::kUp, S::kDown, S::kDown, S::kDown, S::kDown, S::kUp}));
  const auto e = Evaluate({S::kError, 2, 0}, V::kDown, quiet);
  EXPECT_FALSE(e.changed);
  EXPECT_EQ(e.next, (Tracking{S::kError, 3, 0}));
  // Entering a failing state still takes the last failure's kind and notifies.
  EXPECT_EQ(StatesAfter({V::kDown, V::kError}, {2, 1, false}),
            (std::vector<S>{S::kInit, S::kError}));
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

TEST(StateMachine, InconclusiveDecidesNothing) {
  // A worker whose own path was impaired saw the failure: it neither counts toward the failure
  // threshold nor breaks a run of successes toward recovery.
  EXPECT_EQ(StatesAfter({V::kUp, V::kError, V::kInconclusive, V::kInconclusive, V::kError}, {2, 1}),
            (std::vector<S>{S::kUp, S::kUp, S::kUp, S::kUp, S::kError}));
  EXPECT_EQ(StatesAfter({V::kInconclusive, V::kInconclusive, V::kInconclusive}),
            (std::vector<S>{S::kInit, S::kInit, S::kInit}));
  const Tracking before{S::kDown, 3, 1};
  const auto evaluation = Evaluate(before, V::kInconclusive, {1, 2});
  EXPECT_FALSE(evaluation.changed);
  EXPECT_EQ(evaluation.next, before);
}

}  // namespace
}  // namespace lokahi::checks
