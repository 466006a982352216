#pragma once
// JsonPoster over libcurl.

#include <chrono>
#include <memory>
#include <string>

#include "receivers/forward/json_poster.h"

namespace lokahi::receivers {

// curl_global_init for the life of the process: declare it first in main(), before any thread.
class CurlGlobal {
 public:
  CurlGlobal();  // throws std::runtime_error if libcurl cannot initialise
  ~CurlGlobal();
  CurlGlobal(const CurlGlobal&) = delete;
  CurlGlobal& operator=(const CurlGlobal&) = delete;
};

// Owns one CURL easy handle, reused across posts so the connection to the chat service is kept
// alive. Follows no redirects and speaks only http and https. Not thread-safe.
class CurlJsonPoster final : public JsonPoster {
 public:
  // `url` holds the webhook's secret; it is never put into a PostResult.
  CurlJsonPoster(std::string url, std::chrono::milliseconds timeout);
  PostResult Post(const std::string& json) override;

 private:
  struct EasyDeleter {
    void operator()(void* easy) const noexcept;
  };
  std::string url_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<void, EasyDeleter> easy_;
};

}  // namespace lokahi::receivers
