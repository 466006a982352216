#include "receivers/core/check_status_body.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cctype>

namespace lokahi::receivers {
namespace {

std::string MediaType(std::string_view content_type) {
  const auto semicolon = content_type.find(';');
  std::string_view media = content_type.substr(0, semicolon);
  const auto first = media.find_first_not_of(" \t");
  const auto last = media.find_last_not_of(" \t");
  if (first == std::string_view::npos) return "";
  std::string lowered(media.substr(first, last - first + 1));
  std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lowered;
}

}  // namespace

std::string_view BodyFormatName(BodyFormat format) {
  return format == BodyFormat::kJson ? "json" : "protobuf";
}

std::optional<BodyFormat> FormatOfContentType(std::string_view content_type) {
  const std::string media = MediaType(content_type);
  if (media.empty() || media == "application/protobuf" || media == "application/x-protobuf") {
    return BodyFormat::kProtobuf;
  }
  if (media == "application/json") return BodyFormat::kJson;
  return std::nullopt;
}

namespace {

// `body` in `format` as a `Message` named `name` in errors: the message, or why not.
template <typename Message>
std::optional<Message> Parse(BodyFormat format, std::string_view body, std::string_view name,
                             std::string* error) {
  Message message;
  if (format == BodyFormat::kJson) {
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = true;
    const auto result = google::protobuf::util::JsonStringToMessage(
        google::protobuf::StringPiece(body.data(), body.size()), &message, options);
    if (!result.ok()) {
      *error = "invalid JSON " + std::string(name) + ": " + std::string(result.message());
      return std::nullopt;
    }
  } else if (!message.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    *error =
        "invalid protobuf " + std::string(name) + " (" + std::to_string(body.size()) + " bytes)";
    return std::nullopt;
  }
  return message;
}

DecodedNotification DecodeAlertStatus(BodyFormat format, std::string_view body) {
  std::string error;
  auto status = Parse<github::xe::lokahi::AlertStatus>(format, body, "AlertStatus", &error);
  if (!status) return {std::nullopt, std::move(error)};
  if (status->alert().id().empty()) return {std::nullopt, "AlertStatus has no alert id"};
  return {Notification{std::move(*status)}, ""};
}

}  // namespace

DecodedBody DecodeCheckStatus(BodyFormat format, std::string_view body) {
  std::string error;
  auto status = Parse<github::xe::lokahi::CheckStatus>(format, body, "CheckStatus", &error);
  if (!status) return {std::nullopt, std::move(error)};
  if (status->check().id().empty()) return {std::nullopt, "CheckStatus has no check id"};
  return {std::move(*status), ""};
}

DecodedNotification DecodeNotification(BodyFormat format, std::string_view path,
                                       std::string_view webhook_id, std::string_view body) {
  if (path == kAlertWebhookPath) return DecodeAlertStatus(format, body);
  // Protobuf does not say what it is (an AlertStatus parses as a CheckStatus whose check id is
  // the alert's source): the outbox's webhook-id does.
  if (webhook_id.starts_with(kNotificationWebhookIdPrefix)) {
    DecodedNotification alert = DecodeAlertStatus(format, body);
    if (alert.notification) return alert;
  }
  DecodedBody check = DecodeCheckStatus(format, body);
  if (check.status) return {Notification{std::move(*check.status)}, ""};
  if (format == BodyFormat::kJson) {
    DecodedNotification alert = DecodeAlertStatus(format, body);
    if (alert.notification) return alert;
  }
  return {std::nullopt, std::move(check.error)};
}

EncodedReply EncodeAcknowledgement(BodyFormat format) {
  if (format == BodyFormat::kJson) return {"application/json", "{}"};
  return {"application/protobuf", github::xe::lokahi::Nil().SerializeAsString()};
}

}  // namespace lokahi::receivers
