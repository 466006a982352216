#include "receivers/core/duke_schedule.h"

#include <stdexcept>

namespace lokahi::receivers {

DukePhase DukePhaseAfter(std::chrono::nanoseconds elapsed, std::chrono::nanoseconds period) {
  if (period <= std::chrono::nanoseconds::zero()) {
    throw std::invalid_argument("duke period must be positive");
  }
  if (elapsed < std::chrono::nanoseconds::zero()) elapsed = std::chrono::nanoseconds::zero();
  DukePhase phase;
  phase.flips = elapsed / period;
  phase.up = phase.flips % 2 == 0;
  phase.until_next_flip = period - elapsed % period;
  return phase;
}

DukeSchedule::DukeSchedule(const Clock& clock, std::chrono::nanoseconds period)
    : clock_(clock), period_(period), start_(clock.Now()) {
  if (period <= std::chrono::nanoseconds::zero()) {
    throw std::invalid_argument("duke period must be positive");
  }
}

DukePhase DukeSchedule::Now() const { return DukePhaseAfter(clock_.Now() - start_, period_); }

}  // namespace lokahi::receivers
