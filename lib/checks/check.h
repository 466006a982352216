#pragma once
// The domain model of a check, independent of protobuf, SQL and transport.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lokahi::checks {

// Values match github.xe.lokahi.Check.State on the wire and in the database.
enum class State : int { kInit = 0, kUp = 1, kDown = 2, kError = 3 };
std::string_view StateName(State state);

enum class WebhookFormat : int { kProtobuf = 0, kJson = 1 };

// A check id: a canonical lowercase UUID. Construct through Parse so every CheckId is valid.
class CheckId {
 public:
  static std::optional<CheckId> Parse(std::string_view text);
  const std::string& str() const { return value_; }
  friend bool operator==(const CheckId&, const CheckId&) = default;
  friend auto operator<=>(const CheckId&, const CheckId&) = default;

 private:
  explicit CheckId(std::string value) : value_(std::move(value)) {}
  std::string value_;
};

// One request header. The value may hold a token: stored and sent, never returned or logged.
struct Header {
  std::string name;
  std::string value;
  friend bool operator==(const Header&, const Header&) = default;
};

// Values match github.xe.lokahi.IpVersion.
enum class IpVersion : int { kAny = 0, kV4 = 4, kV6 = 6 };

// How a probe asks; the defaults are lokahi's GET.
struct RequestOptions {
  std::string method = "GET";  // GET HEAD POST PUT PATCH DELETE OPTIONS
  std::vector<Header> headers;
  std::string body;
  bool follow_redirects = true;  // at most kMaxRedirects hops
  IpVersion ip_version = IpVersion::kAny;
  friend bool operator==(const RequestOptions&, const RequestOptions&) = default;
};

// What a user sets on a check. Zero-valued numbers mean "use the default" until ApplyDefaults.
struct CheckOptions {
  std::string url;
  std::string webhook_url;
  std::string playbook_url;
  int every_seconds = 0;
  int timeout_ms = 0;
  int expected_status = 0;  // 0 = any 2xx
  int failure_threshold = 0;
  int recovery_threshold = 0;
  // A failing check moves DOWN <-> ERROR (and notifies) when the kind of failure changes.
  bool notify_failure_kind_change = true;
  WebhookFormat webhook_format = WebhookFormat::kProtobuf;
  std::string webhook_secret;
  std::string name;  // empty = none; unique among checks otherwise
  std::map<std::string, std::string> labels;
  bool enabled = true;  // false: paused, not probed, sends nothing
  RequestOptions request;
};

inline constexpr int kDefaultEverySeconds = 60;
inline constexpr int kMaxEverySeconds = 86400;
inline constexpr int kDefaultMinEverySeconds = 10;
inline constexpr int kDefaultTimeoutMs = 10000;
inline constexpr int kMaxTimeoutMs = 120000;
inline constexpr int kMaxThreshold = 100;
inline constexpr int kMaxRedirects = 5;

void ApplyDefaults(CheckOptions& options);

using Timestamp = std::chrono::system_clock::time_point;

struct Check {
  std::string id;
  CheckOptions options;
  State state = State::kInit;
  int64_t webhook_response_time_ns = 0;
  Timestamp created_at{};
  Timestamp updated_at{};
  std::optional<Timestamp> state_changed_at;
};

}  // namespace lokahi::checks
