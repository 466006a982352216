#pragma once
// One JsonPoster shared by the HTTP server's threads. Chat services rate-limit each webhook, so
// posting one message at a time costs nothing, and keeps one kept-alive connection.

#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include "receivers/forward/json_poster.h"

namespace lokahi::receivers {

// Thread-safe.
class SharedPoster {
 public:
  explicit SharedPoster(JsonPoster& poster) : poster_(poster) {}

  // Posts `json` once the poster is free; nullopt, posting nothing, when it stays busy for
  // `wait` (the relay then answers "busy" so lokahi retries, rather than holding its request).
  std::optional<PostResult> TryPost(const std::string& json, std::chrono::milliseconds wait) {
    std::unique_lock lock(mutex_, std::defer_lock);
    if (!lock.try_lock_for(wait)) return std::nullopt;
    return poster_.Post(json);
  }

 private:
  JsonPoster& poster_;
  std::timed_mutex mutex_;
};

}  // namespace lokahi::receivers
