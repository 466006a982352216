#include "tests/receivers/receiver_fixtures.h"

#include <google/protobuf/util/json_util.h>

#include <sstream>
#include <stdexcept>

#include "tests/support/child_process.h"
#include "tests/support/ports.h"

namespace lokahi::receivers::testing {

using github::xe::lokahi::Check;
using github::xe::lokahi::CheckStatus;

CheckStatus SampleStatus() {
  CheckStatus status;
  auto& check = *status.mutable_check();
  check.set_id("chk_1");
  check.set_url("https://example.com/health");
  check.set_playbook_url("https://wiki.example.com/playbooks/web");
  check.set_state(Check::DOWN);
  status.set_previous_state(Check::UP);
  status.set_last_response_time_nanoseconds(2'265'000);
  status.set_resp_status_code(500);
  status.set_transition_id(42);
  return status;
}

github::xe::lokahi::AlertStatus SampleAlert(github::xe::lokahi::AlertStatus::Kind kind) {
  github::xe::lokahi::AlertStatus status;
  auto& alert = *status.mutable_alert();
  alert.set_source("web1");
  alert.set_id("backup");
  alert.set_subject("nightly backup missing");
  alert.set_detail("no file since 02:00");
  alert.set_importance(github::xe::lokahi::Alert::URGENT);
  alert.set_state(github::xe::lokahi::Alert::RAISED);
  alert.set_notify_count(1);
  status.set_kind(kind);
  status.set_notify_count(1);
  status.set_notification_id(7);
  status.set_previous_state(github::xe::lokahi::Alert::PENDING);
  return status;
}

namespace {

// `message` as protobuf or its JSON mapping (proto field names), with its Content-Type.
std::pair<std::string, std::string> Encode(const google::protobuf::Message& message, bool json) {
  if (!json) return {message.SerializeAsString(), "application/protobuf"};
  std::string body;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  if (!google::protobuf::util::MessageToJsonString(message, &body, options).ok()) {
    throw std::runtime_error("cannot encode " + message.GetTypeName() + " as JSON");
  }
  return {body, "application/json"};
}

httplib::Client ClientFor(int port) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(std::chrono::seconds(5));
  client.set_read_timeout(std::chrono::seconds(10));
  return client;
}

}  // namespace

httplib::Result PostAlert(int port, const github::xe::lokahi::AlertStatus& status,
                          const std::string& webhook_id, bool json, const std::string& path) {
  const auto [body, content_type] = Encode(status, json);
  const httplib::Headers headers = {
      {"Accept", content_type}, {"webhook-id", webhook_id}, {"webhook-timestamp", "1700000000"}};
  return ClientFor(port).Post(path, headers, body, content_type);
}

httplib::Result PostStatus(int port, const CheckStatus& status, const std::string& webhook_id,
                           bool json, const SignatureVerifier* sign_with) {
  const auto [body, content_type] = Encode(status, json);
  httplib::Client client = ClientFor(port);
  const std::string timestamp =
      sign_with ? std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count())
                : "1700000000";
  httplib::Headers headers = {{"Accept", content_type},
                              {"User-Agent", "lokahi-cpp/test (+https://github.com/Xe/lokahi)"},
                              {"webhook-id", webhook_id},
                              {"webhook-timestamp", timestamp}};
  if (sign_with) {
    headers.emplace("webhook-signature", sign_with->Sign(webhook_id, timestamp, body));
  }
  return client.Post("/twirp/github.xe.lokahi.Webhook/Handle", headers, body, content_type);
}

namespace {

std::map<std::string, std::string> ParseLogLine(const std::string& line) {
  std::map<std::string, std::string> fields;
  size_t at = 0;
  while (at < line.size()) {
    const size_t eq = line.find('=', at);
    if (eq == std::string::npos) break;
    const std::string key = line.substr(at, eq - at);
    std::string value;
    at = eq + 1;
    if (at < line.size() && line[at] == '"') {
      for (++at; at < line.size() && line[at] != '"'; ++at) {
        if (line[at] == '\\' && at + 1 < line.size()) {
          ++at;
          value += line[at] == 'n' ? '\n' : line[at];
        } else {
          value += line[at];
        }
      }
      ++at;  // closing quote
    } else {
      const size_t end = line.find(' ', at);
      value = line.substr(at, end == std::string::npos ? std::string::npos : end - at);
      at = end == std::string::npos ? line.size() : end;
    }
    fields[key] = value;
    while (at < line.size() && line[at] == ' ') ++at;
  }
  return fields;
}

}  // namespace

std::vector<std::map<std::string, std::string>> LogLines(const std::string& log,
                                                         const std::string& event) {
  std::vector<std::map<std::string, std::string>> found;
  std::istringstream lines(log);
  std::string line;
  while (std::getline(lines, line)) {
    auto fields = ParseLogLine(line);
    if (fields["event"] == event) found.push_back(std::move(fields));
  }
  return found;
}

std::optional<std::map<std::string, std::string>> FindLogLine(const std::string& log,
                                                              const std::string& event,
                                                              const std::string& check_id) {
  for (auto& fields : LogLines(log, event)) {
    if (fields["check_id"] == check_id) return std::move(fields);
  }
  return std::nullopt;
}

int CountEvents(const std::string& log, const std::string& event) {
  return static_cast<int>(LogLines(log, event).size());
}

}  // namespace lokahi::receivers::testing
