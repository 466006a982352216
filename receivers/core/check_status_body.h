#pragma once
// Decoding a webhook body into a CheckStatus and encoding the acknowledgement, for both body
// formats lokahi-cpp delivers: protobuf (lokahi's, the default) and the protobuf JSON mapping.

#include <optional>
#include <string>
#include <string_view>

#include "lokahi.pb.h"
#include "receivers/core/notification.h"

namespace lokahi::receivers {

enum class BodyFormat { kProtobuf, kJson };

std::string_view BodyFormatName(BodyFormat format);

// The format a Content-Type header names: JSON for application/json (parameters such as
// charset ignored, case-insensitive), protobuf for application/protobuf, application/x-protobuf
// and for a missing header (lokahi's clients always send one, so absence means "raw protobuf").
// nullopt for anything else.
std::optional<BodyFormat> FormatOfContentType(std::string_view content_type);

// Either a decoded CheckStatus or the reason it was refused, worded for a log line.
struct DecodedBody {
  std::optional<github::xe::lokahi::CheckStatus> status;
  std::string error;
};

// Parses `body` in `format`. JSON ignores unknown fields, so newer senders stay readable. A body
// that parses but carries no check id is refused too: every delivery names its check.
DecodedBody DecodeCheckStatus(BodyFormat format, std::string_view body);

// The path lokahi's alert notifications are told apart by (alerts.proto's AlertWebhook.Handle): a
// receiver serving checks and alerts on one port gets AlertStatus bodies there.
inline constexpr std::string_view kAlertWebhookPath = "/twirp/github.xe.lokahi.AlertWebhook/Handle";

// Either a decoded notification or the reason it was refused, worded for a log line.
struct DecodedNotification {
  std::optional<Notification> notification;
  std::string error;
};

// lokahi's webhook-id of a notification from its notifications outbox ("nt_<id>"); a check's
// transition is "tr_<id>".
inline constexpr std::string_view kNotificationWebhookIdPrefix = "nt_";

// A delivery's body: an AlertStatus when `path` is kAlertWebhookPath; otherwise a CheckStatus,
// unless the body reads as an AlertStatus naming an alert and either is JSON naming no check or
// came with a notification's webhook-id ("nt_…"), so an alert webhook URL without the path works
// in both formats. An AlertStatus without an alert id is refused, as a CheckStatus without a
// check id is.
DecodedNotification DecodeNotification(BodyFormat format, std::string_view path,
                                       std::string_view webhook_id, std::string_view body);

// The reply a Twirp client expects from Webhook.Handle: an empty Nil in the request's format.
struct EncodedReply {
  std::string content_type;
  std::string body;
};
EncodedReply EncodeAcknowledgement(BodyFormat format);

}  // namespace lokahi::receivers
