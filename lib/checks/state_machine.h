#pragma once
// Decides a check's state from its previous state and one probe's verdict. Pure: no clock, no
// I/O, so it can be tested exhaustively and run inside a store transaction.

#include "lib/checks/check.h"

namespace lokahi::checks {

// What one probe says, before thresholds: the expected status (UP), another HTTP answer (DOWN),
// or no answer at all (ERROR: DNS, connect, TLS, timeout). INCONCLUSIVE: a failure seen by a
// worker whose own network path was impaired at the time; it says nothing about the target, so it
// is kept and shown but never moves a state nor counts for uptime. A result verdict only, never a
// check state. The values are stored in results.verdict.
enum class Verdict : int { kUp = 0, kDown = 1, kError = 2, kInconclusive = 3 };

// `expected_status` 0 means any 2xx; status 0 means there was no HTTP answer.
Verdict Judge(int status_code, int expected_status);

// A check's options that steer its state machine.
struct Thresholds {
  int failure = 1;   // consecutive failures before leaving INIT or UP
  int recovery = 1;  // consecutive successes before entering UP from DOWN or ERROR
  // Whether a failing check moves DOWN <-> ERROR (and so notifies) when the kind of failure
  // changes. False keeps it in the failing state it entered until it recovers.
  bool notify_failure_kind_change = true;
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

// Evaluates one verdict; callers feed each slot's verdict once, in slot order. INCONCLUSIVE leaves
// the tracking as it was.
// - INIT: the first success moves to UP at once; `failure` consecutive failures (DOWN and
//   ERROR verdicts count together) move to DOWN or ERROR, whichever the last failure was.
//   Until then the check stays INIT.
// - UP: `failure` consecutive failures move to DOWN or ERROR (the last failure's kind).
// - DOWN or ERROR: `recovery` consecutive successes move to UP; a different kind of failure
//   switches DOWN <-> ERROR at once when `notify_failure_kind_change`, else the state stays.
//   Either way the switch never resets the consecutive-failure count.
Evaluation Evaluate(const Tracking& previous, Verdict verdict, const Thresholds& thresholds);

}  // namespace lokahi::checks
