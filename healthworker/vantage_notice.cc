#include "healthworker/vantage_notice.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <stdexcept>

namespace lokahi::healthworker {

namespace {
std::string Kind(store::VantageEventKind kind) {
  return kind == store::VantageEventKind::kImpaired ? "vantage.impaired" : "vantage.recovered";
}
}  // namespace

std::string VantageNoticeBody(const store::VantageEvent& event,
                              std::chrono::system_clock::time_point at) {
  google::protobuf::Struct body;
  auto& fields = *body.mutable_fields();
  fields["type"].set_string_value(Kind(event.kind));
  fields["worker"].set_string_value(event.worker);
  fields["location"].set_string_value(event.location);
  fields["reason"].set_string_value(event.reason);
  fields["at"].set_string_value(google::protobuf::util::TimeUtil::ToString(
      google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
          std::chrono::duration_cast<std::chrono::nanoseconds>(at.time_since_epoch()).count())));
  std::string json;
  const auto result = google::protobuf::util::MessageToJsonString(body, &json);
  if (!result.ok()) throw std::runtime_error("encoding the notice as JSON: " + result.ToString());
  return json;
}

std::optional<store::OutgoingNotification> VantageNotice(const store::VantageEvent& event,
                                                         const std::string& ops_webhook_url,
                                                         std::chrono::system_clock::time_point at) {
  if (ops_webhook_url.empty()) return std::nullopt;
  store::OutgoingNotification notice;
  notice.kind = Kind(event.kind);
  notice.ordering_key = "vantage:" + event.worker;
  notice.webhook_url = ops_webhook_url;
  notice.content_type = "application/json";
  notice.body = VantageNoticeBody(event, at);
  return notice;
}

}  // namespace lokahi::healthworker
