// When a healthworker judges its own network path impaired and recovered:
// canaries arbitrate, a failure spike across distinct hosts (against the
// worker's own baseline) decides without them.

#include "healthworker/vantage_judge.h"

#include <gtest/gtest.h>

namespace lokahi::healthworker {
namespace {

using namespace std::chrono_literals;
using TimePoint = VantageJudge::TimePoint;

TimePoint At(std::chrono::milliseconds offset) { return TimePoint(1000s + offset); }

TEST(IsPathFailureTest, ConnectDnsAndTimeoutOnly) {
  EXPECT_TRUE(IsPathFailure("timed out after 10000 ms"));
  EXPECT_TRUE(IsPathFailure("could not connect: Network is unreachable"));
  EXPECT_TRUE(IsPathFailure("could not resolve host: example.invalid"));
  EXPECT_FALSE(IsPathFailure("connection refused")) << "something answered";
  EXPECT_FALSE(IsPathFailure("TLS certificate verify failed: expired"));
  EXPECT_FALSE(IsPathFailure("too many redirects (max 5)"));
  EXPECT_FALSE(IsPathFailure(""));
}

TEST(HostOfTest, HostWithoutUserinfoPortOrCase) {
  EXPECT_EQ(HostOf("http://Example.COM:8080/x?y"), "example.com");
  EXPECT_EQ(HostOf("https://user:pw@10.0.0.1/"), "10.0.0.1");
  EXPECT_EQ(HostOf("http://[::1]:9000/"), "[::1]");
  EXPECT_EQ(HostOf("http://a.example#frag"), "a.example");
  EXPECT_EQ(HostOf("no scheme"), "");
}

TEST(VantageJudgeTest, CanariesSilentImpairAtOnceAndRecoverAfterTwoAnsweringRounds) {
  VantageJudge judge({}, true);
  EXPECT_FALSE(judge.ObserveCanaryRound(At(0s), 3, 3).changed);
  EXPECT_FALSE(judge.ObserveCanaryRound(At(2s), 3, 1).changed) << "one canary answering will do";
  const auto impaired = judge.ObserveCanaryRound(At(4s), 3, 0);
  EXPECT_TRUE(impaired.changed);
  EXPECT_EQ(impaired.now, Vantage::kImpaired);
  EXPECT_EQ(impaired.reason, "canaries: 0 of 3 answered");
  EXPECT_FALSE(judge.ObserveCanaryRound(At(6s), 3, 0).changed) << "said once";
  EXPECT_FALSE(judge.ObserveCanaryRound(At(8s), 3, 2).changed) << "one round is no recovery";
  EXPECT_FALSE(judge.ObserveCanaryRound(At(10s), 3, 0).changed) << "and a silent one resets it";
  EXPECT_FALSE(judge.ObserveCanaryRound(At(12s), 3, 3).changed);
  const auto recovered = judge.ObserveCanaryRound(At(14s), 3, 3);
  EXPECT_TRUE(recovered.changed);
  EXPECT_EQ(recovered.now, Vantage::kHealthy);
  EXPECT_EQ(judge.state(), Vantage::kHealthy);
}

// Probes `hosts` distinct hosts at `at`, the first `failing` of them failing on
// the path.
void Probe(VantageJudge& judge, TimePoint at, int hosts, int failing, const char* prefix = "h") {
  for (int i = 0; i < hosts; ++i) {
    judge.ObserveProbe(at, "http://" + std::string(prefix) + std::to_string(i) + ".example/",
                       i < failing);
  }
}

TEST(VantageJudgeTest, FailureSpikeAcrossDistinctHostsImpairsWithoutCanaries) {
  VantageJudge judge({}, false);
  // A quiet baseline: 20 hosts, one of them always failing.
  for (int s = 0; s < 60; ++s) Probe(judge, At(std::chrono::seconds(s)), 20, 1);
  EXPECT_FALSE(judge.EvaluateSpike(At(60s)).changed);
  EXPECT_FALSE(judge.spike());
  // Then most hosts fail at once.
  for (int s = 60; s < 65; ++s) Probe(judge, At(std::chrono::seconds(s)), 20, 18);
  const auto change = judge.EvaluateSpike(At(65s));
  EXPECT_TRUE(change.changed);
  EXPECT_EQ(change.now, Vantage::kImpaired);
  EXPECT_NE(change.reason.find("failure spike: "), std::string::npos) << change.reason;
  // Its recovery canaries are hosts that failed.
  const auto targets = judge.RecoveryTargets();
  ASSERT_FALSE(targets.empty());
  EXPECT_LE(targets.size(), 5u);
  EXPECT_EQ(targets.front().rfind("http://h", 0), 0u);
  // They answer again: recovered after two rounds, and the old spike does not
  // impair it again.
  EXPECT_FALSE(judge.ObserveCanaryRound(At(70s), 5, 5).changed);
  EXPECT_TRUE(judge.ObserveCanaryRound(At(72s), 5, 5).changed);
  EXPECT_FALSE(judge.EvaluateSpike(At(73s)).changed);
  EXPECT_EQ(judge.state(), Vantage::kHealthy);
}

TEST(VantageJudgeTest, OneNetworkFailingIsNoSpike) {
  VantageJudge judge({}, false);
  for (int s = 0; s < 60; ++s) Probe(judge, At(std::chrono::seconds(s)), 20, 0);
  // Four hosts (fewer than spike_min_hosts) fail, however often they are
  // probed.
  for (int s = 60; s < 90; ++s) Probe(judge, At(std::chrono::seconds(s)), 4, 4, "down");
  EXPECT_FALSE(judge.EvaluateSpike(At(90s)).changed);
  EXPECT_EQ(judge.state(), Vantage::kHealthy);
}

TEST(VantageJudgeTest, AHighBaselineRaisesTheBar) {
  VantageOptions options;
  options.spike_min_ratio = 0.3;
  VantageJudge judge(options, false);
  // A worker whose hosts fail 30 % of the time as a rule: 40 % failing is no
  // spike.
  for (int s = 0; s < 120; ++s) Probe(judge, At(std::chrono::seconds(s)), 10, 3);
  for (int s = 120; s < 130; ++s) Probe(judge, At(std::chrono::seconds(s)), 10, 4);
  EXPECT_FALSE(judge.EvaluateSpike(At(130s)).changed);
  // 100 % is.
  for (int s = 130; s < 160; ++s) Probe(judge, At(std::chrono::seconds(s)), 10, 10);
  EXPECT_TRUE(judge.EvaluateSpike(At(160s)).changed);
}

TEST(VantageJudgeTest, AHostThatAnsweredInTheWindowIsNotFailing) {
  VantageJudge judge({}, false);
  for (int s = 0; s < 10; ++s) {
    Probe(judge, At(std::chrono::seconds(s)), 10, 10);
    Probe(judge, At(std::chrono::seconds(s) + 500ms), 10,
          0);  // the same hosts answer
  }
  EXPECT_FALSE(judge.EvaluateSpike(At(10s)).changed);
}

TEST(VantageJudgeTest, WithCanariesASpikeIsAnOutageNotOurPath) {
  VantageJudge judge({}, true);
  for (int s = 0; s < 60; ++s) Probe(judge, At(std::chrono::seconds(s)), 20, 0);
  for (int s = 60; s < 65; ++s) Probe(judge, At(std::chrono::seconds(s)), 20, 20);
  EXPECT_FALSE(judge.EvaluateSpike(At(65s)).changed);
  EXPECT_TRUE(judge.spike()) << "shown, but the canaries decide";
  EXPECT_FALSE(judge.ObserveCanaryRound(At(31s), 2, 2).changed);
  EXPECT_EQ(judge.state(), Vantage::kHealthy);
}

TEST(VantageJudgeTest, OldObservationsLeaveTheWindows) {
  VantageOptions options;
  options.spike_window = 10s;
  options.baseline_window = 20s;
  VantageJudge judge(options, false);
  Probe(judge, At(0s), 20, 20);
  // 40 s later the failures are outside both windows.
  Probe(judge, At(40s), 20, 0);
  EXPECT_FALSE(judge.EvaluateSpike(At(40s)).changed);
  EXPECT_FALSE(judge.spike());
}

}  // namespace
}  // namespace lokahi::healthworker
