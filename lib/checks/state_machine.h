#pragma once
// Decides a check's state from its previous state and one probe's verdict. Pure: no clock, no
// I/O, so it can be tested exhaustively and run inside a store transaction.

#include "lib/checks/check.h"

namespace lokahi::checks {

// What one probe says, before thresholds: the expected status (UP), another HTTP answer (DOWN),
// or no answer at all (ERROR: DNS, connect, TLS, timeout).
enum class Verdict { kUp, kDown, kError };

// `expected_status` 0 means any 2xx; status 0 means there was no HTTP answer.
Verdict Judge(int status_code, int expected_status);

struct Thresholds {
  int failure = 1;   // consecutive failures before leaving UP
  int recovery = 1;  // consecutive successes before entering UP
};

struct Tracking {
  State state = State::kInit;
  int consecutive_failures = 0;
  int consecutive_successes = 0;
  friend bool operator==(const Tracking&, const Tracking&) = default;
};

struct Evaluation {
  Tracking next;
  bool changed = false;  // next.state differs from the previous state
};

// The first verdict of a new check decides its state at once. From UP, `failure` consecutive
// failures move to DOWN or ERROR (whichever the last failure was). From DOWN or ERROR,
// `recovery` consecutive successes move to UP; a different kind of failure switches DOWN <-> ERROR
// at once, since the check is already failing.
Evaluation Evaluate(const Tracking& previous, Verdict verdict, const Thresholds& thresholds);

}  // namespace lokahi::checks
