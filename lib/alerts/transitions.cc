#include "lib/alerts/transitions.h"

namespace lokahi::alerts {
namespace {

bool IsRaised(State state) { return state == State::kRaised || state == State::kAcknowledged; }

void MoveTo(Alert& alert, State state, Timestamp now) {
  if (alert.state != state) alert.state_changed_at = now;
  alert.state = state;
  if (state != State::kAcknowledged) {
    alert.acknowledged_by.clear();
    alert.acknowledged_until.reset();
    alert.ack_note.clear();
  }
  if (state != State::kRaised) alert.next_reminder_at.reset();
}

// Records that `kind` is sent now, unless the alert's notifications are suppressed.
void Notify(Change& change, NotificationKind kind, Timestamp now) {
  const auto& until = change.after.suppress_until;
  if (until && *until > now) return;
  change.notify = kind;
  change.after.last_notified_at = now;
}

void Raise(Change& change, Timestamp now, std::chrono::seconds repeat) {
  Alert& alert = change.after;
  MoveTo(alert, State::kRaised, now);
  alert.notify_count = 1;
  if (repeat.count() > 0) alert.next_reminder_at = now + repeat;
  Notify(change, NotificationKind::kRaised, now);
}

void Remind(Change& change, Timestamp now, std::chrono::seconds repeat) {
  Alert& alert = change.after;
  MoveTo(alert, State::kRaised, now);
  alert.notify_count += 1;
  if (repeat.count() > 0) alert.next_reminder_at = now + repeat;
  Notify(change, NotificationKind::kReminder, now);
}

Change Start(const Alert& alert, Timestamp now) {
  Change change;
  change.after = alert;
  change.before = alert.state;
  change.after.updated_at = now;
  return change;
}

}  // namespace

Change ApplySubmission(const std::optional<Alert>& stored, const ResolvedSubmission& submission,
                       Timestamp now) {
  Change change;
  if (stored) {
    change = Start(*stored, now);
  } else {
    change.created = true;
    change.before = State::kPending;
    Alert& fresh = change.after;
    fresh.key = submission.key;
    fresh.created_at = now;
    fresh.updated_at = now;
    fresh.state_changed_at = now;
  }
  Alert& alert = change.after;
  alert.subject = submission.subject;
  alert.detail = submission.detail;
  alert.importance = submission.importance;
  if (!submission.webhook_url.empty()) alert.webhook_url = submission.webhook_url;
  if (submission.webhook_format) alert.webhook_format = *submission.webhook_format;
  if (submission.suppress_until) alert.suppress_until = submission.suppress_until;

  const bool was_raised = !change.created && IsRaised(alert.state);
  if (std::holds_alternative<ClearNow>(submission.raise)) {
    alert.raise_at.reset();
    MoveTo(alert, State::kCleared, now);
    if (was_raised) Notify(change, NotificationKind::kCleared, now);
    return change;
  }
  const Timestamp raise_at = std::get<Timestamp>(submission.raise);
  if (was_raised) {
    if (raise_at <= now) return change;  // still failing: it stays raised (or acknowledged)
    alert.raise_at = raise_at;
    MoveTo(alert, State::kPending, now);
    Notify(change, NotificationKind::kRecovered, now);
    return change;
  }
  // New, PENDING or CLEARED: pending until the raise time; the scheduler raises it.
  alert.raise_at = raise_at;
  MoveTo(alert, State::kPending, now);
  return change;
}

std::optional<Change> Tick(const Alert& alert, Timestamp now, std::chrono::seconds repeat) {
  switch (alert.state) {
    case State::kPending:
      if (!alert.raise_at || *alert.raise_at > now) return std::nullopt;
      {
        Change change = Start(alert, now);
        Raise(change, now, repeat);
        return change;
      }
    case State::kAcknowledged:
      if (alert.acknowledged_until && *alert.acknowledged_until > now) return std::nullopt;
      {
        Change change = Start(alert, now);
        Remind(change, now, repeat);
        return change;
      }
    case State::kRaised:
      if (!alert.next_reminder_at || *alert.next_reminder_at > now) return std::nullopt;
      {
        Change change = Start(alert, now);
        Remind(change, now, repeat);
        return change;
      }
    case State::kCleared:
      return std::nullopt;
  }
  return std::nullopt;
}

std::variant<Change, std::string> Acknowledge(const Alert& alert, Timestamp now,
                                              std::chrono::seconds ack_for, std::string by,
                                              std::string note) {
  if (!IsRaised(alert.state)) {
    return "only a RAISED alert can be acknowledged; this one is " +
           std::string(StateName(alert.state));
  }
  if (ack_for < std::chrono::seconds(1) || ack_for > kMaxAckFor) {
    return "an acknowledgement lasts 1 s to 30 days, got " + std::to_string(ack_for.count()) + " s";
  }
  Change change = Start(alert, now);
  MoveTo(change.after, State::kAcknowledged, now);
  change.after.acknowledged_by = std::move(by);
  change.after.acknowledged_until = now + ack_for;
  change.after.ack_note = std::move(note);
  Notify(change, NotificationKind::kAcknowledged, now);
  return change;
}

Change Clear(const Alert& alert, Timestamp now) {
  Change change = Start(alert, now);
  const bool was_raised = IsRaised(alert.state);
  change.after.raise_at.reset();
  MoveTo(change.after, State::kCleared, now);
  if (was_raised) Notify(change, NotificationKind::kCleared, now);
  return change;
}

Change RaiseNow(const Alert& alert, Timestamp now, std::chrono::seconds repeat) {
  Change change = Start(alert, now);
  if (IsRaised(alert.state)) return change;
  change.after.raise_at = now;
  Raise(change, now, repeat);
  return change;
}

}  // namespace lokahi::alerts
