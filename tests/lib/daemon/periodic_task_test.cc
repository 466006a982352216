// PeriodicTask: rounds start at once and repeat on the period; none starts after Stop.

#include "lib/daemon/periodic_task.h"

#include <gtest/gtest.h>

#include <atomic>

#include "tests/support/child_process.h"

namespace lokahi::daemon {
namespace {

using namespace std::chrono_literals;

TEST(PeriodicTaskTest, RunsAtOnceThenEveryPeriodAndNeverAfterStop) {
  std::atomic<int> rounds{0};
  PeriodicTask task(20ms, [&] { rounds.fetch_add(1); });
  EXPECT_TRUE(testing::WaitFor([&] { return rounds.load() >= 1; }, 1s)) << "the first at once";
  EXPECT_TRUE(testing::WaitFor([&] { return rounds.load() >= 3; }, 5s)) << "then repeated";
  task.Stop();
  std::this_thread::sleep_for(50ms);  // a round in progress at Stop may still end
  const int after_stop = rounds.load();
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(rounds.load(), after_stop);
}

TEST(PeriodicTaskTest, DestroyingItDoesNotWaitOutThePeriod) {
  const auto started = std::chrono::steady_clock::now();
  {
    PeriodicTask task(std::chrono::hours(1), [] {});
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
}

}  // namespace
}  // namespace lokahi::daemon
