#include "lokahid/http/events_handler.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <cmath>

#include "lokahid/alerts_convert.h"

namespace lokahi::lokahid {

namespace {

using google::protobuf::Value;

std::string JsonString(std::string_view text) {
  Value value;
  value.set_string_value(std::string(text));
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(value, &json).ok()) return "\"\"";
  return json;
}

EventsResponse Error(int status, std::string_view message, int index = -1,
                     std::string_view field = "") {
  EventsResponse response;
  response.status = status;
  response.body = "{\"error\":" + JsonString(message);
  if (index >= 0) response.body += ",\"index\":" + std::to_string(index);
  if (!field.empty()) response.body += ",\"field\":" + JsonString(field);
  response.body += "}";
  return response;
}

int HttpStatusOf(ApiCode code) {
  switch (code) {
    case ApiCode::kInvalidArgument:
      return 400;
    case ApiCode::kUnauthenticated:
      return 401;
    case ApiCode::kPermissionDenied:
      return 403;
    case ApiCode::kResourceExhausted:
      return 429;
    case ApiCode::kUnavailable:
      return 503;
    default:
      return 500;
  }
}

// A field that must be a string; a Unix time may also come as a whole number when `number_ok`.
bool TextOf(const Value& value, bool number_ok, std::string* out) {
  if (value.kind_case() == Value::kStringValue) {
    *out = value.string_value();
    return true;
  }
  if (number_ok && value.kind_case() == Value::kNumberValue) {
    const double number = value.number_value();
    if (number < 0 || number > 1e12 || std::floor(number) != number) return false;
    *out = std::to_string(static_cast<long long>(number));
    return true;
  }
  return false;
}

struct ItemError {
  std::string field;
  std::string message;
};

std::optional<ItemError> Decode(const Value& item, alerts::Submission* out) {
  if (item.kind_case() != Value::kStructValue) {
    return ItemError{"", "must be a JSON object"};
  }
  for (const auto& [name, value] : item.struct_value().fields()) {
    std::string text;
    const bool time_field = name == "raise" || name == "suppress_until";
    std::string* target = nullptr;
    if (name == "id") target = &out->key.id;
    if (name == "source") target = &out->key.source;
    if (name == "subject") target = &out->subject;
    if (name == "detail") target = &out->detail;
    if (name == "raise") target = &out->raise;
    if (name == "webhook_url") target = &out->webhook_url;
    if (name == "suppress_until") target = &out->suppress_until;
    const bool known = target || name == "importance" || name == "webhook_format";
    if (!known) continue;  // purple's clients may send more than we read
    if (!TextOf(value, time_field, &text)) {
      return ItemError{name, name + (time_field ? " must be a string or a Unix time in seconds"
                                                : " must be a string")};
    }
    if (target) {
      *target = std::move(text);
    } else if (name == "importance") {
      const auto importance = alerts::ParseImportance(text);
      if (!importance) return ItemError{name, "importance must be low, normal or urgent"};
      out->importance = *importance;
    } else {
      if (text == "json") {
        out->webhook_format = checks::WebhookFormat::kJson;
      } else if (text == "protobuf") {
        out->webhook_format = checks::WebhookFormat::kProtobuf;
      } else {
        return ItemError{name, "webhook_format must be json or protobuf"};
      }
    }
  }
  return std::nullopt;
}

}  // namespace

EventsResponse EventsHandler::Handle(const EventsRequest& request) const {
  if (request.method != "POST") {
    return Error(405, "only POST is allowed on /events");
  }
  Value root;
  google::protobuf::util::JsonParseOptions options;
  const auto parsed = google::protobuf::util::JsonStringToMessage(
      std::string_view(request.body.data(), request.body.size()), &root, options);
  if (!parsed.ok()) {
    return Error(400, "the body is not JSON: " + std::string(parsed.message().substr(0, 200)));
  }
  std::vector<const Value*> items;
  if (root.kind_case() == Value::kStructValue) {
    items.push_back(&root);
  } else if (root.kind_case() == Value::kListValue) {
    if (static_cast<size_t>(root.list_value().values_size()) > alerts::kMaxBatch) {
      return Error(400, "events: at most " + std::to_string(alerts::kMaxBatch) +
                            " alerts per request, got " +
                            std::to_string(root.list_value().values_size()));
    }
    for (const auto& value : root.list_value().values()) items.push_back(&value);
  } else {
    return Error(400, "the body must be a JSON object or an array of objects");
  }
  std::vector<alerts::Submission> batch(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    if (auto error = Decode(*items[i], &batch[i])) {
      const std::string item = "events[" + std::to_string(i) + "]";
      return Error(400,
                   error->field.empty() ? item + " " + error->message : item + "." + error->message,
                   static_cast<int>(i), error->field);
    }
  }
  const Caller caller{request.authorization, request.client_address, "events"};
  std::vector<alerts::Alert> stored;
  SubmitRefusal refusal;
  const auto status = api_.SubmitBatch(caller, std::move(batch), "events", &stored, &refusal);
  if (!status.ok()) {
    auto response = Error(HttpStatusOf(status.code), status.message, refusal.index, refusal.field);
    response.ask_for_credentials = status.code == ApiCode::kUnauthenticated;
    return response;
  }
  github::xe::lokahi::SubmitAlertsResponse answer;
  for (const auto& alert : stored) AlertToProto(alert, answer.add_alerts());
  google::protobuf::util::JsonPrintOptions print;
  print.preserve_proto_field_names = true;
  print.always_print_primitive_fields = true;
  EventsResponse response;
  if (!google::protobuf::util::MessageToJsonString(answer, &response.body, print).ok()) {
    return Error(500, "the answer could not be written as JSON");
  }
  return response;
}

}  // namespace lokahi::lokahid
