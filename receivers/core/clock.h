#pragma once
// Time as a dependency: logic that depends on elapsed time takes a Clock, tests pass a manual one.

#include <chrono>

namespace lokahi::receivers {

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic; thread-safe.
  virtual std::chrono::steady_clock::time_point Now() const = 0;
};

class SteadyClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point Now() const override {
    return std::chrono::steady_clock::now();
  }
};

}  // namespace lokahi::receivers
