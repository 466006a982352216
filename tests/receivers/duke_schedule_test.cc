#include "receivers/core/duke_schedule.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace lokahi::receivers {
namespace {

using std::chrono::milliseconds;

class ManualClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point Now() const override { return now_; }
  void Advance(std::chrono::nanoseconds by) { now_ += by; }

 private:
  std::chrono::steady_clock::time_point now_{std::chrono::seconds(1000)};
};

TEST(DukePhaseAfterTest, StartsUpAndFlipsEveryPeriod) {
  const milliseconds period(500);
  struct Case {
    milliseconds elapsed;
    bool up;
    int64_t flips;
    milliseconds until_next_flip;
  };
  for (const Case& c : {Case{milliseconds(0), true, 0, milliseconds(500)},
                        Case{milliseconds(499), true, 0, milliseconds(1)},
                        Case{milliseconds(500), false, 1, milliseconds(500)},
                        Case{milliseconds(999), false, 1, milliseconds(1)},
                        Case{milliseconds(1000), true, 2, milliseconds(500)},
                        Case{milliseconds(1750), false, 3, milliseconds(250)}}) {
    SCOPED_TRACE(c.elapsed.count());
    const DukePhase phase = DukePhaseAfter(c.elapsed, period);
    EXPECT_EQ(phase.up, c.up);
    EXPECT_EQ(phase.flips, c.flips);
    EXPECT_EQ(phase.until_next_flip, c.until_next_flip);
  }
}

TEST(DukePhaseAfterTest, TimeBeforeTheStartCountsAsTheStart) {
  const DukePhase phase = DukePhaseAfter(milliseconds(-20), milliseconds(100));
  EXPECT_TRUE(phase.up);
  EXPECT_EQ(phase.flips, 0);
  EXPECT_EQ(phase.until_next_flip, milliseconds(100));
}

TEST(DukePhaseAfterTest, RefusesAPeriodThatIsNotPositive) {
  EXPECT_THROW(DukePhaseAfter(milliseconds(1), milliseconds(0)), std::invalid_argument);
  ManualClock clock;
  EXPECT_THROW(DukeSchedule(clock, milliseconds(-1)), std::invalid_argument);
}

TEST(DukeScheduleTest, FollowsTheInjectedClockFromConstruction) {
  ManualClock clock;
  clock.Advance(std::chrono::hours(5));  // the schedule starts when built, not at the epoch
  const DukeSchedule schedule(clock, std::chrono::seconds(60));
  EXPECT_TRUE(schedule.Now().up);
  clock.Advance(std::chrono::seconds(59));
  EXPECT_TRUE(schedule.Now().up);
  clock.Advance(std::chrono::seconds(1));
  EXPECT_FALSE(schedule.Now().up);
  EXPECT_EQ(schedule.Now().flips, 1);
  clock.Advance(std::chrono::seconds(60));
  EXPECT_TRUE(schedule.Now().up);
  EXPECT_EQ(schedule.Now().flips, 2);
}

}  // namespace
}  // namespace lokahi::receivers
