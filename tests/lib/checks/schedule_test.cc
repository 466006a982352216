#include "lib/checks/schedule.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace lokahi::checks {
namespace {

TEST(Schedule, NextSlotIsStrictlyAfterAndOnPhase) {
  const int64_t every = 60000, phase = 1234;
  EXPECT_EQ(NextSlotAfter(0, every, phase), 1234);
  EXPECT_EQ(NextSlotAfter(1234, every, phase), 61234);
  EXPECT_EQ(NextSlotAfter(61233, every, phase), 61234);
  EXPECT_EQ(NextSlotAfter(1700000000000, every, phase) % every, phase);
}

TEST(Schedule, PhaseIsStableAndInRange) {
  EXPECT_EQ(SlotPhaseMs("abc", 10000), SlotPhaseMs("abc", 10000));
  for (int i = 0; i < 1000; ++i) {
    const auto p = SlotPhaseMs("check-" + std::to_string(i), 10000);
    EXPECT_GE(p, 0);
    EXPECT_LT(p, 10000);
  }
}

TEST(Schedule, PhasesSpreadAcrossTheInterval) {
  // 10,000 ids over 10 one-second buckets: each bucket within 20% of the mean.
  std::map<int64_t, int> buckets;
  for (int i = 0; i < 10000; ++i) {
    char id[40];
    snprintf(id, sizeof id, "%08x-0000-4000-8000-%012x", i * 2654435761u, i);
    buckets[SlotPhaseMs(id, 10000) / 1000]++;
  }
  ASSERT_EQ(buckets.size(), 10u);
  for (const auto& [bucket, count] : buckets) {
    EXPECT_GT(count, 800) << bucket;
    EXPECT_LT(count, 1200) << bucket;
  }
}

}  // namespace
}  // namespace lokahi::checks
