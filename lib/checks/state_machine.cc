#include "lib/checks/state_machine.h"

namespace lokahi::checks {

Verdict Judge(int status_code, int expected_status) {
  if (status_code <= 0) return Verdict::kError;
  const bool expected = expected_status == 0 ? (status_code >= 200 && status_code <= 299)
                                             : status_code == expected_status;
  return expected ? Verdict::kUp : Verdict::kDown;
}

Evaluation Evaluate(const Tracking& previous, Verdict verdict, const Thresholds& thresholds) {
  if (verdict == Verdict::kInconclusive) return Evaluation{previous, false};
  const State failing_state = verdict == Verdict::kDown ? State::kDown : State::kError;
  Tracking next = previous;
  if (verdict == Verdict::kUp) {
    next.consecutive_successes = previous.consecutive_successes + 1;
    next.consecutive_failures = 0;
  } else {
    next.consecutive_failures = previous.consecutive_failures + 1;
    next.consecutive_successes = 0;
  }

  switch (previous.state) {
    case State::kInit:
      if (verdict == Verdict::kUp) {
        next.state = State::kUp;
      } else if (next.consecutive_failures >= thresholds.failure) {
        next.state = failing_state;
      }
      break;
    case State::kUp:
      if (verdict != Verdict::kUp && next.consecutive_failures >= thresholds.failure) {
        next.state = failing_state;
      }
      break;
    case State::kDown:
    case State::kError:
      if (verdict == Verdict::kUp) {
        if (next.consecutive_successes >= thresholds.recovery) next.state = State::kUp;
      } else if (thresholds.notify_failure_kind_change) {
        next.state = failing_state;
      }
      break;
  }
  return Evaluation{next, next.state != previous.state};
}

}  // namespace lokahi::checks
