#include "lokahid/http/events_handler.h"

#include <google/protobuf/util/time_util.h>

#include <cmath>

#include "lokahid/http/events_json.h"

namespace lokahi::lokahid {

namespace {

// `text` (valid UTF-8) as a JSON string.
void AppendJsonString(std::string_view text, std::string* out) {
  constexpr char kHex[] = "0123456789abcdef";
  *out += '"';
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      *out += '\\';
      *out += c;
    } else if (byte < 0x20) {
      *out += "\\u00";
      *out += kHex[byte >> 4];
      *out += kHex[byte & 0xf];
    } else {
      *out += c;
    }
  }
  *out += '"';
}

std::string JsonString(std::string_view text) {
  std::string json;
  AppendJsonString(text, &json);
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
bool TextOf(const EventsJsonValue& value, bool number_ok, std::string* out) {
  if (value.kind == EventsJsonValue::Kind::kString) {
    *out = value.text;
    return true;
  }
  if (number_ok && value.kind == EventsJsonValue::Kind::kNumber) {
    const double number = value.number;
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

std::optional<ItemError> Decode(const EventsJsonItem& item, alerts::Submission* out) {
  if (!item.is_object) return ItemError{"", "must be a JSON object"};
  for (const auto& [name, value] : item.fields) {
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
    } else if (text == "json") {
      out->webhook_format = checks::WebhookFormat::kJson;
    } else if (text == "protobuf") {
      out->webhook_format = checks::WebhookFormat::kProtobuf;
    } else {
      return ItemError{name, "webhook_format must be json or protobuf"};
    }
  }
  return std::nullopt;
}

}  // namespace

EventsResponse EventsHandler::Handle(const EventsRequest& request) const {
  if (request.method != "POST") {
    return Error(405, "only POST is allowed on /events");
  }
  std::string problem;
  const auto items = ParseEventsJson(request.body, alerts::kMaxBatch, &problem);
  if (!items) return Error(400, "events: the body is not a JSON object or array: " + problem);
  if (items->empty()) return Error(400, "events: no alert to submit");
  std::vector<alerts::Submission> batch(items->size());
  for (size_t i = 0; i < items->size(); ++i) {
    if (auto error = Decode((*items)[i], &batch[i])) {
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
  // Written by hand: protobuf's JSON printer costs ~80 us per alert, more than storing it.
  EventsResponse response;
  response.body.reserve(64 + stored.size() * 120);
  response.body = "{\"alerts\":[";
  for (size_t i = 0; i < stored.size(); ++i) {
    const auto& alert = stored[i];
    response.body += i ? ",{\"source\":" : "{\"source\":";
    AppendJsonString(alert.key.source, &response.body);
    response.body += ",\"id\":";
    AppendJsonString(alert.key.id, &response.body);
    response.body += ",\"state\":\"";
    response.body += alerts::StateName(alert.state);
    response.body += '"';
    if (alert.raise_at) {
      response.body += ",\"raise_at\":\"";
      response.body += google::protobuf::util::TimeUtil::ToString(
          google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
              std::chrono::duration_cast<std::chrono::microseconds>(
                  alert.raise_at->time_since_epoch())
                  .count()));
      response.body += '"';
    }
    response.body += '}';
  }
  response.body += "]}";
  return response;
}

}  // namespace lokahi::lokahid
