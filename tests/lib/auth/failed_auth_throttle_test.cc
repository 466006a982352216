#include "lib/auth/failed_auth_throttle.h"

#include <gtest/gtest.h>

namespace lokahi::auth {
namespace {

using namespace std::chrono_literals;

class FailedAuthThrottleTest : public ::testing::Test {
 protected:
  FailedAuthThrottle Make(FailedAuthThrottleOptions options) {
    return FailedAuthThrottle(options, [this] { return now_; });
  }
  std::chrono::steady_clock::time_point now_{};
};

TEST_F(FailedAuthThrottleTest, AnAddressIsRefusedAfterItsFailuresUntilTheWindowEnds) {
  auto throttle = Make({.max_failures = 3, .window = 60s});
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(throttle.Refusal("198.51.100.7")) << "failure " << i;
    throttle.RecordFailure("198.51.100.7");
  }
  ASSERT_TRUE(throttle.Refusal("198.51.100.7"));
  EXPECT_EQ(*throttle.Refusal("198.51.100.7"), 60s);
  EXPECT_FALSE(throttle.Refusal("198.51.100.8")) << "other addresses are unaffected";
  now_ += 45s;
  EXPECT_EQ(*throttle.Refusal("198.51.100.7"), 15s);
  now_ += 15s;
  EXPECT_FALSE(throttle.Refusal("198.51.100.7")) << "a new window";
  throttle.RecordFailure("198.51.100.7");
  EXPECT_FALSE(throttle.Refusal("198.51.100.7"));
}

TEST_F(FailedAuthThrottleTest, Ipv6AddressesCountPerSlash64) {
  auto throttle = Make({.max_failures = 2, .window = 60s});
  throttle.RecordFailure("2001:db8:1:2::1");
  throttle.RecordFailure("2001:db8:1:2:ffff::9");
  EXPECT_TRUE(throttle.Refusal("2001:db8:1:2::77"));
  EXPECT_FALSE(throttle.Refusal("2001:db8:1:3::1"));
  EXPECT_EQ(FailedAuthThrottle::KeyOf("2001:db8:1:2:ffff::9"), "2001:db8:1:2::/64");
  EXPECT_EQ(FailedAuthThrottle::KeyOf("203.0.113.1"), "203.0.113.1");
}

TEST_F(FailedAuthThrottleTest, RemembersAtMostMaxTrackedAddresses) {
  auto throttle = Make({.max_failures = 1, .window = 60s, .max_tracked = 2});
  throttle.RecordFailure("192.0.2.1");
  now_ += 1s;
  throttle.RecordFailure("192.0.2.2");
  now_ += 1s;
  throttle.RecordFailure("192.0.2.3");  // the oldest window (192.0.2.1) makes room
  EXPECT_FALSE(throttle.Refusal("192.0.2.1"));
  EXPECT_TRUE(throttle.Refusal("192.0.2.2"));
  EXPECT_TRUE(throttle.Refusal("192.0.2.3"));
}

TEST_F(FailedAuthThrottleTest, ZeroFailuresTurnsItOff) {
  auto throttle = Make({.max_failures = 0});
  for (int i = 0; i < 100; ++i) throttle.RecordFailure("192.0.2.1");
  EXPECT_FALSE(throttle.Refusal("192.0.2.1"));
}

}  // namespace
}  // namespace lokahi::auth
