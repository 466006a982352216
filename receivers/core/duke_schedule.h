#pragma once
// duke-of-york's timetable: up for one period, down for the next, and so on, starting up (like
// the grand old Duke's men, neither up nor down for long).

#include <chrono>
#include <cstdint>

#include "receivers/core/clock.h"

namespace lokahi::receivers {

struct DukePhase {
  bool up = true;
  // Flips since the start; the phase is up when this is even.
  std::int64_t flips = 0;
  // Time from the moment asked about until the next flip, always > 0.
  std::chrono::nanoseconds until_next_flip{0};
};

// The phase `elapsed` after the start. `period` must be positive; a negative `elapsed` (a clock
// read before the start) counts as the start.
DukePhase DukePhaseAfter(std::chrono::nanoseconds elapsed, std::chrono::nanoseconds period);

// The timetable anchored at the clock's time of construction. Thread-safe (read-only after
// construction); `clock` must outlive it.
class DukeSchedule {
 public:
  DukeSchedule(const Clock& clock, std::chrono::nanoseconds period);
  DukePhase Now() const;
  std::chrono::nanoseconds period() const { return period_; }

 private:
  const Clock& clock_;
  std::chrono::nanoseconds period_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace lokahi::receivers
