#include "lokahid/alerts_convert.h"

#include <google/protobuf/util/time_util.h>

#include "lib/webhook/notification_body.h"

namespace lokahi::lokahid {

namespace pb = github::xe::lokahi;

namespace {

void SetTime(google::protobuf::Timestamp* out, alerts::Timestamp t) {
  *out = google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
      std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count());
}

void SetTime(google::protobuf::Timestamp* out, const std::optional<alerts::Timestamp>& t) {
  if (t) SetTime(out, *t);
}

}  // namespace

void AlertToProto(const alerts::Alert& a, pb::Alert* out) {
  out->set_source(a.key.source);
  out->set_id(a.key.id);
  out->set_subject(a.subject);
  out->set_detail(a.detail);
  out->set_state(static_cast<pb::Alert::State>(a.state));
  if (a.raise_at) SetTime(out->mutable_raise_at(), a.raise_at);
  out->set_importance(static_cast<pb::Alert::Importance>(a.importance));
  out->set_webhook_url(a.webhook_url);
  out->set_webhook_format(static_cast<pb::WebhookFormat>(a.webhook_format));
  if (a.suppress_until) SetTime(out->mutable_suppress_until(), a.suppress_until);
  out->set_acknowledged_by(a.acknowledged_by);
  if (a.acknowledged_until) SetTime(out->mutable_acknowledged_until(), a.acknowledged_until);
  out->set_ack_note(a.ack_note);
  out->set_notify_count(a.notify_count);
  SetTime(out->mutable_created_at(), a.created_at);
  SetTime(out->mutable_updated_at(), a.updated_at);
  SetTime(out->mutable_state_changed_at(), a.state_changed_at);
  if (a.last_notified_at) SetTime(out->mutable_last_notified_at(), a.last_notified_at);
}

void AlertDeliveryToProto(const store::NotificationRecord& record, pb::AlertDelivery* out) {
  out->set_notification_id(record.id);
  out->set_webhook_id(store::NotificationWebhookId(record.id));
  constexpr std::string_view kAlertPrefix = "alert.";
  if (record.kind.starts_with(kAlertPrefix)) {
    if (const auto kind = alerts::ParseNotificationKind(
            std::string_view(record.kind).substr(kAlertPrefix.size()))) {
      out->set_kind(static_cast<pb::AlertStatus::Kind>(*kind));
    }
  }
  SetTime(out->mutable_notified_at(), record.created_at);
  switch (record.state) {
    case store::NotificationState::kPending:
      out->set_outcome("pending");
      break;
    case store::NotificationState::kDelivered:
      out->set_outcome("delivered");
      break;
    case store::NotificationState::kFailed:
      out->set_outcome("failed");
      break;
  }
  out->set_attempts(record.attempts);
  out->set_last_status_code(record.last_status_code);
  out->set_last_error(record.last_error);
  if (record.delivered_at) SetTime(out->mutable_delivered_at(), *record.delivered_at);
  if (record.next_attempt_at) SetTime(out->mutable_next_attempt_at(), *record.next_attempt_at);
}

alerts::Submission SubmissionFromProto(const pb::AlertSubmission& in) {
  alerts::Submission s;
  s.key = {in.source(), in.id()};
  s.subject = in.subject();
  s.detail = in.detail();
  s.raise = in.raise();
  s.importance = static_cast<alerts::Importance>(in.importance());
  s.webhook_url = in.webhook_url();
  if (in.has_webhook_format()) {
    s.webhook_format = static_cast<checks::WebhookFormat>(in.webhook_format());
  }
  s.suppress_until = in.suppress_until();
  return s;
}

pb::AlertStatus AlertStatusOf(const alerts::Change& change, int64_t notification_id,
                              alerts::Timestamp now) {
  pb::AlertStatus status;
  AlertToProto(change.after, status.mutable_alert());
  status.set_kind(static_cast<pb::AlertStatus::Kind>(*change.notify));
  status.set_notify_count(change.after.notify_count);
  status.set_notification_id(notification_id);
  SetTime(status.mutable_notified_at(), now);
  status.set_previous_state(static_cast<pb::Alert::State>(change.before));
  return status;
}

store::AlertNotifier MakeAlertNotifier(std::string default_webhook_url) {
  return [default_webhook_url = std::move(default_webhook_url)](
             const alerts::Change& change, int64_t id,
             alerts::Timestamp now) -> std::optional<store::OutgoingNotification> {
    const auto& alert = change.after;
    const std::string& url = alert.webhook_url.empty() ? default_webhook_url : alert.webhook_url;
    if (url.empty()) return std::nullopt;
    auto body =
        webhook::EncodeNotificationBody(AlertStatusOf(change, id, now), alert.webhook_format);
    store::OutgoingNotification notice;
    notice.id = id;
    notice.kind = "alert." + std::string(alerts::NotificationKindName(*change.notify));
    notice.ordering_key = alerts::NotificationOrderingKey(alert.key);
    notice.webhook_url = url;
    notice.content_type = std::move(body.content_type);
    notice.body = std::move(body.bytes);
    return notice;
  };
}

}  // namespace lokahi::lokahid
