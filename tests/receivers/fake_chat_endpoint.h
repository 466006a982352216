#pragma once
// A fake chat service (Discord's or Slack's webhook) for the relays' tests: records what it is
// sent, answers from a script, and rate-limits as the real ones do.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "lib/http/server.h"
#include "lib/logging/logger.h"

namespace lokahi::receivers::testing {

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
  // How many notifications a chat message (a Discord or Slack body) carries: the count a grouped
  // message opens with ("📣 12 notifications: ..."), else 1.
  static int NotificationsIn(const std::string& body);
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
