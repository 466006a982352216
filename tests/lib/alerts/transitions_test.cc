#include "lib/alerts/transitions.h"

#include <gtest/gtest.h>

namespace lokahi::alerts {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

const Timestamp kT0 = Timestamp(seconds(1'800'000'000));
constexpr auto kRepeat = std::chrono::duration_cast<seconds>(hours(1));

ResolvedSubmission Heartbeat(Timestamp now, seconds in = seconds(300)) {
  ResolvedSubmission s;
  s.key = {"10.0.0.7", "heartbeat"};
  s.subject = "backup";
  s.raise = now + in;
  return s;
}

ResolvedSubmission WithRaise(RaiseSpec raise) {
  auto s = Heartbeat(kT0);
  s.raise = raise;
  return s;
}

// A heartbeat that stopped at kT0 with +5m, raised at kT0 + 5m.
Alert RaisedAlert() {
  auto pending = ApplySubmission(std::nullopt, Heartbeat(kT0), kT0).after;
  return Tick(pending, kT0 + minutes(5), kRepeat)->after;
}

TEST(ApplySubmission, ANewAlertIsPendingUntilItsRaiseTime) {
  const auto change = ApplySubmission(std::nullopt, Heartbeat(kT0), kT0);
  EXPECT_TRUE(change.created);
  EXPECT_EQ(change.after.state, State::kPending);
  EXPECT_EQ(change.after.raise_at, kT0 + minutes(5));
  EXPECT_FALSE(change.notify);
  EXPECT_EQ(change.after.webhook_format, checks::WebhookFormat::kJson);
}

TEST(ApplySubmission, EachHeartbeatPushesTheRaiseTimeForward) {
  auto alert = ApplySubmission(std::nullopt, Heartbeat(kT0), kT0).after;
  const auto later = kT0 + minutes(1);
  const auto change = ApplySubmission(alert, Heartbeat(later), later);
  EXPECT_EQ(change.after.raise_at, later + minutes(5));
  EXPECT_EQ(change.after.state, State::kPending);
  EXPECT_FALSE(change.notify);
  EXPECT_FALSE(Tick(change.after, kT0 + minutes(5), kRepeat));
}

TEST(Tick, ADueAlertRaisesWithOneNotification) {
  auto alert = ApplySubmission(std::nullopt, Heartbeat(kT0), kT0).after;
  EXPECT_FALSE(Tick(alert, kT0 + minutes(5) - seconds(1), kRepeat));
  const auto change = Tick(alert, kT0 + minutes(5), kRepeat);
  ASSERT_TRUE(change);
  EXPECT_EQ(change->after.state, State::kRaised);
  EXPECT_EQ(change->notify, NotificationKind::kRaised);
  EXPECT_EQ(change->after.notify_count, 1);
  // Once raised, nothing more is due until the reminder.
  EXPECT_FALSE(Tick(change->after, kT0 + minutes(6), kRepeat));
}

TEST(Tick, RemindersEveryRepeatCountNotifications) {
  auto alert = RaisedAlert();
  auto reminder = Tick(alert, kT0 + minutes(5) + hours(1), kRepeat);
  ASSERT_TRUE(reminder);
  EXPECT_EQ(reminder->notify, NotificationKind::kReminder);
  EXPECT_EQ(reminder->after.notify_count, 2);
  EXPECT_FALSE(Tick(reminder->after, kT0 + minutes(6) + hours(1), kRepeat));
  auto next = Tick(reminder->after, kT0 + minutes(5) + hours(2), kRepeat);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->after.notify_count, 3);
  // Repeat 0 turns reminders off.
  auto quiet =
      Tick(ApplySubmission(std::nullopt, Heartbeat(kT0), kT0).after, kT0 + minutes(5), seconds(0));
  EXPECT_FALSE(Tick(quiet->after, kT0 + hours(100), seconds(0)));
}

TEST(ApplySubmission, AFutureRaiseTimeRecoversARaisedAlert) {
  const auto alert = RaisedAlert();
  const auto now = kT0 + minutes(7);
  const auto change = ApplySubmission(alert, Heartbeat(now), now);
  EXPECT_EQ(change.before, State::kRaised);
  EXPECT_EQ(change.after.state, State::kPending);
  EXPECT_EQ(change.notify, NotificationKind::kRecovered);
  EXPECT_FALSE(change.after.next_reminder_at);
}

TEST(ApplySubmission, NowForARaisedAlertChangesNothingButText) {
  const auto alert = RaisedAlert();
  const auto now = kT0 + minutes(7);
  auto submission = WithRaise(now);
  submission.detail = "still down";
  const auto change = ApplySubmission(alert, submission, now);
  EXPECT_EQ(change.after.state, State::kRaised);
  EXPECT_EQ(change.after.raise_at, alert.raise_at);
  EXPECT_EQ(change.after.detail, "still down");
  EXPECT_FALSE(change.notify);
}

TEST(ApplySubmission, ClearNotifiesOnlyARaisedAlert) {
  const auto raised = ApplySubmission(RaisedAlert(), WithRaise(ClearNow{}), kT0 + minutes(8));
  EXPECT_EQ(raised.after.state, State::kCleared);
  EXPECT_EQ(raised.notify, NotificationKind::kCleared);
  const auto pending = ApplySubmission(ApplySubmission(std::nullopt, Heartbeat(kT0), kT0).after,
                                       WithRaise(ClearNow{}), kT0);
  EXPECT_EQ(pending.after.state, State::kCleared);
  EXPECT_FALSE(pending.notify);
  // A cleared alert receiving a raise time goes back to PENDING silently.
  const auto again = ApplySubmission(raised.after, Heartbeat(kT0 + minutes(9)), kT0 + minutes(9));
  EXPECT_EQ(again.after.state, State::kPending);
  EXPECT_FALSE(again.notify);
}

TEST(Acknowledge, SilencesRemindersUntilItExpiresThenOneReminder) {
  const auto raised = RaisedAlert();
  const auto at = kT0 + minutes(6);
  auto acked = Acknowledge(raised, at, seconds(5), "ops", "looking");
  ASSERT_TRUE(std::holds_alternative<Change>(acked));
  const auto& change = std::get<Change>(acked);
  EXPECT_EQ(change.after.state, State::kAcknowledged);
  EXPECT_EQ(change.notify, NotificationKind::kAcknowledged);
  EXPECT_EQ(change.after.acknowledged_by, "ops");
  EXPECT_EQ(change.after.acknowledged_until, at + seconds(5));
  EXPECT_FALSE(Tick(change.after, at + seconds(4), kRepeat));
  auto expired = Tick(change.after, at + seconds(5), kRepeat);
  ASSERT_TRUE(expired);
  EXPECT_EQ(expired->after.state, State::kRaised);
  EXPECT_EQ(expired->notify, NotificationKind::kReminder);
  EXPECT_EQ(expired->after.notify_count, 2);
  EXPECT_TRUE(expired->after.acknowledged_by.empty());
}

TEST(Acknowledge, RefusesAnAlertThatIsNotRaised) {
  const auto pending = ApplySubmission(std::nullopt, Heartbeat(kT0), kT0).after;
  auto result = Acknowledge(pending, kT0, seconds(60), "ops", "");
  ASSERT_TRUE(std::holds_alternative<std::string>(result));
  EXPECT_EQ(std::get<std::string>(result),
            "only a RAISED alert can be acknowledged; this one is PENDING");
  auto too_long = Acknowledge(RaisedAlert(), kT0, hours(24 * 31), "ops", "");
  EXPECT_TRUE(std::holds_alternative<std::string>(too_long));
}

TEST(SuppressUntil, StateMovesButNothingIsSentBeforeThen) {
  auto submission = Heartbeat(kT0, seconds(10));
  submission.suppress_until = kT0 + hours(1);
  auto alert = ApplySubmission(std::nullopt, submission, kT0).after;
  const auto raised = Tick(alert, kT0 + seconds(10), kRepeat);
  ASSERT_TRUE(raised);
  EXPECT_EQ(raised->after.state, State::kRaised);
  EXPECT_FALSE(raised->notify);
  const auto reminder = Tick(raised->after, kT0 + seconds(10) + hours(1), kRepeat);
  ASSERT_TRUE(reminder);
  EXPECT_EQ(reminder->notify, NotificationKind::kReminder);
}

TEST(RaiseNow, RaisesAPendingAlertAndLeavesARaisedOne) {
  const auto pending = ApplySubmission(std::nullopt, Heartbeat(kT0), kT0).after;
  const auto raised = RaiseNow(pending, kT0 + seconds(1), kRepeat);
  EXPECT_EQ(raised.after.state, State::kRaised);
  EXPECT_EQ(raised.notify, NotificationKind::kRaised);
  const auto again = RaiseNow(raised.after, kT0 + seconds(2), kRepeat);
  EXPECT_FALSE(again.notify);
  EXPECT_EQ(again.after.raise_at, raised.after.raise_at);
  const auto cleared = Clear(raised.after, kT0 + seconds(3));
  EXPECT_EQ(cleared.notify, NotificationKind::kCleared);
  EXPECT_FALSE(Clear(cleared.after, kT0 + seconds(4)).notify);
}

}  // namespace
}  // namespace lokahi::alerts
