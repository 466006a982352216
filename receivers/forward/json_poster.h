#pragma once
// Sending one JSON document to a chat webhook: the seam between the relay and libcurl.

#include <chrono>
#include <optional>
#include <string>

namespace lokahi::receivers {

// The outcome of one POST.
struct PostResult {
  long status_code = 0;  // 0: no HTTP answer (DNS, connect, TLS, timeout)
  // Why it failed: the transport error, or the start of the error body. Empty on success.
  std::string error;
  // The delay a 429 or 503 asked for in its Retry-After header.
  std::optional<std::chrono::milliseconds> retry_after;
  // How long the chat service said it will refuse further posts although it took this one
  // (Discord's X-RateLimit-Remaining: 0 with X-RateLimit-Reset-After); see RateLimitPause.
  std::optional<std::chrono::milliseconds> pause;

  bool Delivered() const { return status_code >= 200 && status_code < 300; }
};

// Posts to one fixed URL, given at construction. Implementations need not be thread-safe: the relay
// posts from one thread (GroupedPoster).
class JsonPoster {
 public:
  virtual ~JsonPoster() = default;
  virtual PostResult Post(const std::string& json) = 0;
};

}  // namespace lokahi::receivers
