#include "lokahid/http/twirp_handler.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cctype>

#include "lib/checks/quote.h"

namespace lokahi::lokahid {

namespace pb = github::xe::lokahi;

namespace {

constexpr std::string_view kJson = "application/json";
constexpr std::string_view kProtobuf = "application/protobuf";

template <typename Message>
bool Decode(TwirpEncoding encoding, std::string_view body, Message* message, std::string* problem) {
  if (encoding == TwirpEncoding::kProtobuf) {
    if (message->ParseFromArray(body.data(), static_cast<int>(body.size()))) return true;
    *problem = "the body is not a protobuf " + message->GetTypeName();
    return false;
  }
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  // An empty body is the empty message, as for protobuf.
  const auto status = google::protobuf::util::JsonStringToMessage(
      body.empty() ? std::string_view("{}") : body, message, options);
  if (status.ok()) return true;
  *problem = "the body is not JSON of " + message->GetTypeName() + ": " +
             std::string(status.message().substr(0, 200));
  return false;
}

template <typename Message>
TwirpResponse Encode(TwirpEncoding encoding, const Message& message) {
  TwirpResponse response;
  if (encoding == TwirpEncoding::kProtobuf) {
    response.content_type = std::string(kProtobuf);
    message.SerializeToString(&response.body);
    return response;
  }
  response.content_type = std::string(kJson);
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  if (!google::protobuf::util::MessageToJsonString(message, &response.body, options).ok()) {
    return TwirpErrorResponse("internal", 500, "the answer could not be written as JSON");
  }
  return response;
}

// A route calling one API method: decode, call, encode.
template <typename Api, typename Request, typename Response>
auto RouteTo(Api& api, ApiStatus (Api::*method)(const Caller&, const Request&, Response*)) {
  return [&api, method](const Caller& caller, TwirpEncoding encoding, std::string_view body) {
    Request request;
    std::string problem;
    if (!Decode(encoding, body, &request, &problem)) {
      return TwirpErrorResponse("malformed", 400, problem);
    }
    Response response;
    const auto status = (api.*method)(caller, request, &response);
    if (!status.ok()) return TwirpErrorResponse(status);
    return Encode(encoding, response);
  };
}

}  // namespace

std::optional<TwirpEncoding> TwirpEncodingOf(std::string_view content_type) {
  auto type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  while (!type.empty() && type.front() == ' ') type.remove_prefix(1);
  auto same = [&](std::string_view expected) {
    return std::equal(
        type.begin(), type.end(), expected.begin(), expected.end(),
        [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
  };
  if (same(kJson)) return TwirpEncoding::kJson;
  if (same(kProtobuf)) return TwirpEncoding::kProtobuf;
  return std::nullopt;
}

TwirpResponse TwirpErrorResponse(std::string_view code, int http_status, std::string_view msg) {
  // Written field by field so "code" comes first, as Twirp writes it; each string is escaped
  // by protobuf's JSON writer (a Struct would order its fields at random).
  auto json_string = [](std::string_view text) {
    google::protobuf::Value value;
    value.set_string_value(std::string(text));
    std::string json;
    if (!google::protobuf::util::MessageToJsonString(value, &json).ok()) return std::string("\"\"");
    return json;
  };
  TwirpResponse response;
  response.status = http_status;
  response.code = std::string(code);
  response.content_type = std::string(kJson);
  response.body = "{\"code\":" + json_string(code) + ",\"msg\":" + json_string(msg) + "}";
  return response;
}

TwirpResponse TwirpErrorResponse(const ApiStatus& status) {
  const auto twirp = TwirpErrorOf(status.code);
  return TwirpErrorResponse(twirp.code, twirp.http_status, status.message);
}

TwirpHandler::TwirpHandler(ChecksApi& api, AlertsApi* alerts) {
  const std::string checks = std::string(kTwirpPrefix) + "github.xe.lokahi.Checks/";
  routes_[checks + "Create"] = RouteTo(api, &ChecksApi::Create);
  routes_[checks + "Get"] = RouteTo(api, &ChecksApi::Get);
  routes_[checks + "List"] = RouteTo(api, &ChecksApi::List);
  routes_[checks + "Put"] = RouteTo(api, &ChecksApi::Put);
  routes_[checks + "Delete"] = RouteTo(api, &ChecksApi::Delete);
  routes_[checks + "Status"] = RouteTo(api, &ChecksApi::Status);
  routes_[checks + "Run"] = RouteTo(api, &ChecksApi::Run);
  routes_[checks + "RunStats"] = RouteTo(api, &ChecksApi::RunStats);
  routes_[checks + "Deliveries"] = RouteTo(api, &ChecksApi::Deliveries);
  const std::string admin = std::string(kTwirpPrefix) + "github.xe.lokahi.admin.RunLocal/";
  routes_[admin + "Checks"] = RouteTo(api, &ChecksApi::RunLocalChecks);
  routes_[admin + "Stats"] = RouteTo(api, &ChecksApi::RunLocalStats);
  if (alerts) {
    const std::string prefix = std::string(kTwirpPrefix) + "github.xe.lokahi.Alerts/";
    routes_[prefix + "Submit"] = RouteTo(*alerts, &AlertsApi::Submit);
    routes_[prefix + "Get"] = RouteTo(*alerts, &AlertsApi::Get);
    routes_[prefix + "List"] = RouteTo(*alerts, &AlertsApi::List);
    routes_[prefix + "Acknowledge"] = RouteTo(*alerts, &AlertsApi::Acknowledge);
    routes_[prefix + "Clear"] = RouteTo(*alerts, &AlertsApi::Clear);
    routes_[prefix + "Raise"] = RouteTo(*alerts, &AlertsApi::Raise);
    routes_[prefix + "Deliveries"] = RouteTo(*alerts, &AlertsApi::Deliveries);
  }
}

TwirpResponse TwirpHandler::Handle(const TwirpRequest& request) const {
  if (request.method != "POST") {
    return TwirpErrorResponse(
        "bad_route", 404,
        "unsupported method " + checks::Quote(request.method) + " (only POST is allowed)");
  }
  const auto route = routes_.find(request.path);
  if (route == routes_.end()) {
    return TwirpErrorResponse("bad_route", 404,
                              "no handler for path " + checks::Quote(request.path));
  }
  const auto encoding = TwirpEncodingOf(request.content_type);
  if (!encoding) {
    return TwirpErrorResponse("bad_route", 404,
                              "unexpected Content-Type " + checks::Quote(request.content_type) +
                                  ": send application/protobuf or application/json");
  }
  const Caller caller{request.authorization, request.client_address, "twirp"};
  return route->second(caller, *encoding, request.body);
}

void TwirpHandler::AddMaintenance(MaintenanceApi& api) {
  const std::string maintenance = std::string(kTwirpPrefix) + "github.xe.lokahi.Maintenance/";
  routes_[maintenance + "Create"] = RouteTo(api, &MaintenanceApi::Create);
  routes_[maintenance + "List"] = RouteTo(api, &MaintenanceApi::List);
  routes_[maintenance + "Delete"] = RouteTo(api, &MaintenanceApi::Delete);
}

}  // namespace lokahi::lokahid
