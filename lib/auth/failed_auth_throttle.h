#pragma once
// Makes password guessing slow: counts failed authentications per client address in a fixed
// window, and once an address reaches the limit it is refused without its credentials being
// looked at until the window ends. Other addresses are unaffected. Memory is bounded: at most
// `max_tracked` addresses are remembered (expired ones are dropped first, then the oldest window).
// IPv6 addresses count per /64, since one host usually holds a whole /64. Thread-safe.

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace lokahi::auth {

struct FailedAuthThrottleOptions {
  int max_failures = 10;  // per address per window; 0 turns the throttle off
  std::chrono::seconds window{60};
  size_t max_tracked = 100000;
};

class FailedAuthThrottle {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  FailedAuthThrottle(FailedAuthThrottleOptions options, Clock clock);

  // How long `address` must still wait when it used up its failures; nullopt when it may try.
  std::optional<std::chrono::seconds> Refusal(std::string_view address);
  void RecordFailure(std::string_view address);

  // The key an address counts under: itself, or its /64 for IPv6.
  static std::string KeyOf(std::string_view address);

 private:
  struct Window {
    std::chrono::steady_clock::time_point start;
    int failures = 0;
  };
  void MakeRoomLocked(std::chrono::steady_clock::time_point now);

  FailedAuthThrottleOptions options_;
  Clock clock_;
  std::mutex mutex_;
  std::unordered_map<std::string, Window> windows_;  // guarded by mutex_
};

}  // namespace lokahi::auth
