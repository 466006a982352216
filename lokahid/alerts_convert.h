#pragma once
// Protobuf <-> domain for push alerts, the one place lokahid converts them: API messages
// (proto/alerts.proto) and the AlertStatus body of their notifications.

#include <string>

#include "alerts.pb.h"
#include "lib/alerts/alert.h"
#include "lib/alerts/submission.h"
#include "lib/alerts/transitions.h"
#include "lib/store/pg_alert_store.h"

namespace lokahi::lokahid {

void AlertToProto(const alerts::Alert& alert, github::xe::lokahi::Alert* out);
void AlertDeliveryToProto(const store::NotificationRecord& record,
                          github::xe::lokahi::AlertDelivery* out);
alerts::Submission SubmissionFromProto(const github::xe::lokahi::AlertSubmission& submission);

// The body of the notification `change` sends (change.notify must be set).
github::xe::lokahi::AlertStatus AlertStatusOf(const alerts::Change& change, int64_t notification_id,
                                              alerts::Timestamp now);

// Builds each notification: to the alert's webhook_url, else `default_webhook_url`
// (LOKAHI_ALERT_WEBHOOK_URL); none when both are empty. Encoded as the alert's webhook_format;
// ordered per alert.
store::AlertNotifier MakeAlertNotifier(std::string default_webhook_url);

}  // namespace lokahi::lokahid
