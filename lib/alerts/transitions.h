#pragma once
// How an alert's state moves, as pure functions of the alert and the daemon's clock: what a
// submission, an operator's acknowledge/clear/raise and the passing of time (the scheduler's tick)
// do, and which notification each change sends. The store locks the row, calls one of these and
// writes the result together with its notification in one transaction.
//
//   PENDING --raise time reached--> RAISED (raised) --ack--> ACKNOWLEDGED (acknowledged)
//   ACKNOWLEDGED --ack expires--> RAISED (reminder); RAISED --every `repeat`--> RAISED (reminder)
//   RAISED/ACKNOWLEDGED --future raise time--> PENDING (recovered); --clear--> CLEARED (cleared)
//   PENDING --clear--> CLEARED, CLEARED --raise time--> PENDING: silently

#include <chrono>
#include <optional>
#include <string>
#include <variant>

#include "lib/alerts/alert.h"
#include "lib/alerts/submission.h"

namespace lokahi::alerts {

struct Change {
  Alert after;
  State before = State::kPending;
  bool created = false;  // no alert existed with this key
  // The notification this change sends; unset when it sends none (also while suppressed).
  std::optional<NotificationKind> notify;
};

// Applies a submission to the alert stored under its key (nullopt: none yet). Subject, detail and
// importance always take the submission's values; webhook_url, webhook_format and suppress_until
// only when given. A raise time at or before `now` leaves a RAISED or ACKNOWLEDGED alert as it is
// (the scheduler raises a PENDING one within a second).
Change ApplySubmission(const std::optional<Alert>& stored, const ResolvedSubmission& submission,
                       Timestamp now);

// What the passing of time does to `alert` at `now`: a PENDING alert due raises, an expired ack
// returns to RAISED with a reminder, a RAISED alert gets a reminder every `repeat` (zero: never).
// nullopt when nothing is due.
std::optional<Change> Tick(const Alert& alert, Timestamp now, std::chrono::seconds repeat);

// An operator's acknowledgement, for `ack_for` (1 s to 30 days). Only a RAISED or ACKNOWLEDGED
// alert can be acknowledged; otherwise returns the reason.
std::variant<Change, std::string> Acknowledge(const Alert& alert, Timestamp now,
                                              std::chrono::seconds ack_for, std::string by,
                                              std::string note);

// An operator's clear: notifies only when the alert was RAISED or ACKNOWLEDGED.
Change Clear(const Alert& alert, Timestamp now);

// An operator's raise: a PENDING or CLEARED alert raises now; a raised one is left as it is.
Change RaiseNow(const Alert& alert, Timestamp now, std::chrono::seconds repeat);

}  // namespace lokahi::alerts
