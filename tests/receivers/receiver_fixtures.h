#pragma once
// What the receiver integration tests share: a sample CheckStatus, posting it
// as lokahi does, reading key=value log lines, and a fake chat service to relay to.

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "alerts.pb.h"
#include "lib/http/server.h"
#include "lib/logging/logger.h"
#include "lokahi.pb.h"
#include "receivers/core/webhook_signature.h"

namespace lokahi::receivers::testing {

// chk_1: DOWN (was UP), answered 500 in 2.265 ms, playbook set, transition 42.
github::xe::lokahi::CheckStatus SampleStatus();

// POSTs `status` to 127.0.0.1:`port` at lokahi's Twirp path with lokahi's headers, as protobuf or
// (json = true) the JSON mapping; signed now, as Standard Webhooks says, when `sign_with` is given.
httplib::Result PostStatus(int port, const github::xe::lokahi::CheckStatus& status,
                           const std::string& webhook_id, bool json = false,
                           const SignatureVerifier* sign_with = nullptr);

// web1/backup raised: notify_count 1, notification 7, subject "nightly backup missing", detail "no
// file since 02:00", URGENT.
github::xe::lokahi::AlertStatus SampleAlert(
    github::xe::lokahi::AlertStatus::Kind kind = github::xe::lokahi::AlertStatus::RAISED);

// POSTs an alert notification as the webhookworker does, to `path` (the AlertWebhook path by
// default), as the JSON mapping (alerts' default) or protobuf.
httplib::Result PostAlert(int port, const github::xe::lokahi::AlertStatus& status,
                          const std::string& webhook_id, bool json = true,
                          const std::string& path = "/twirp/github.xe.lokahi.AlertWebhook/Handle");

// The fields of the first log line in `log` with event=`event` and check_id=`check_id` (quoted
// values unquoted); nullopt when there is none.
std::optional<std::map<std::string, std::string>> FindLogLine(const std::string& log,
                                                              const std::string& event,
                                                              const std::string& check_id);

// The fields of every log line in `log` with event=`event`, in order.
std::vector<std::map<std::string, std::string>> LogLines(const std::string& log,
                                                         const std::string& event);

// How many log lines carry event=`event`.
int CountEvents(const std::string& log, const std::string& event);

// A chat webhook on 127.0.0.1 that records each request and answers from a script (then 200s).
class FakeChatEndpoint {
 public:
  struct Answer {
    Answer(int status = 200, std::string retry_after = "",
           std::chrono::milliseconds delay = std::chrono::milliseconds(0))
        : status(status), retry_after(std::move(retry_after)), delay(delay) {}
    int status;
    std::string retry_after;  // sent as Retry-After when not empty
    std::chrono::milliseconds delay;
  };
  struct Received {
    std::string path;
    std::string content_type;
    std::string body;
  };

  // A chat service's rate limit: `posts` accepted per `per`, counted in fixed windows that start
  // with the first post after the last window ended. A post over it gets 429 with Retry-After
  // (seconds, decimals) until the window ends. `announce` also sends Discord's
  // X-RateLimit-Remaining and X-RateLimit-Reset-After on every answer; without it only the 429 says
  // so (Slack).
  struct RateLimit {
    int posts = 5;
    std::chrono::milliseconds per{2000};
    bool announce = true;
  };

  explicit FakeChatEndpoint(std::vector<Answer> script = {},
                            std::optional<RateLimit> rate_limit = std::nullopt);
  ~FakeChatEndpoint();

  int port() const { return port_; }
  // A URL in Discord's shape, with a secret token in the path.
  std::string WebhookUrl() const;
  static constexpr const char* kSecretToken = "s3cr3t-t0ken-never-logged";

  // Waits up to `timeout` for `count` requests; returns all received so far.
  std::vector<Received> WaitForRequests(size_t count, std::chrono::milliseconds timeout);

  // The bodies of the posts answered 2xx, in order.
  std::vector<std::string> Accepted();
  // Posts answered 429.
  int RateLimited();
  // Posts that came while the service had said it would refuse them: after X-RateLimit-Remaining 0
  // was announced, or within a 429's Retry-After, before the window ended.
  int Early();

 private:
  http::Response Handle(const http::Request& request);

  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Answer> script_;      // guarded by mutex_
  std::vector<Received> received_;  // guarded by mutex_
  const std::optional<RateLimit> rate_limit_;
  std::vector<std::string> accepted_;                  // guarded by mutex_
  std::chrono::steady_clock::time_point window_end_;   // guarded by mutex_
  int used_ = 0;                                       // guarded by mutex_
  std::chrono::steady_clock::time_point refusing_to_;  // said to refuse until; guarded by mutex_
  int rate_limited_ = 0;                               // guarded by mutex_
  int early_ = 0;                                      // guarded by mutex_
  std::ostringstream log_stream_;
  logging::Logger log_{"fake_chat", log_stream_};
  http::Server server_;  // last: stopped before the members its handler uses go
  int port_ = 0;
};

}  // namespace lokahi::receivers::testing
