#include "receivers/forward/curl_json_poster.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "receivers/forward/retry_after.h"

namespace lokahi::receivers {
namespace {

// Enough of an error body to say why (Discord and Slack answer with a short JSON or text).
constexpr std::size_t kErrorBodyBytes = 300;

struct SlistDeleter {
  void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

struct Response {
  std::string body;  // at most kErrorBodyBytes
  std::optional<std::chrono::milliseconds> retry_after;
  std::string ratelimit_remaining;    // X-RateLimit-Remaining, as sent
  std::string ratelimit_reset_after;  // X-RateLimit-Reset-After, as sent
};

// The value of header `line` when it is named `name` (lower case, with the colon).
std::optional<std::string_view> HeaderValue(std::string_view line, std::string_view name) {
  if (line.size() <= name.size()) return std::nullopt;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(line[i])) != name[i]) return std::nullopt;
  }
  return line.substr(name.size());
}

// Header values kept are short numbers; a longer one is not ours to read.
constexpr std::size_t kMaxKeptHeaderValue = 64;

size_t OnBody(char* data, size_t size, size_t count, void* user) noexcept {
  auto* response = static_cast<Response*>(user);
  const size_t bytes = size * count;
  try {
    const size_t room = kErrorBodyBytes - std::min(kErrorBodyBytes, response->body.size());
    response->body.append(data, std::min(room, bytes));
  } catch (...) {
    return 0;  // out of memory: abort the transfer, reported as a write error
  }
  return bytes;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) noexcept {
  auto* response = static_cast<Response*>(user);
  const size_t bytes = size * count;
  try {
    const std::string_view line(data, bytes);
    if (const auto value = HeaderValue(line, "retry-after:")) {
      response->retry_after = ParseRetryAfter(*value);
    } else if (const auto value = HeaderValue(line, "x-ratelimit-remaining:")) {
      response->ratelimit_remaining = value->substr(0, kMaxKeptHeaderValue);
    } else if (const auto value = HeaderValue(line, "x-ratelimit-reset-after:")) {
      response->ratelimit_reset_after = value->substr(0, kMaxKeptHeaderValue);
    }
  } catch (...) {
    return 0;
  }
  return bytes;
}

void AppendHeader(Slist& list, const char* header) {
  curl_slist* grown = curl_slist_append(list.get(), header);
  if (grown == nullptr) throw std::runtime_error("out of memory building request headers");
  list.release();
  list.reset(grown);
}

}  // namespace

CurlGlobal::CurlGlobal() {
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    throw std::runtime_error("libcurl failed to initialise");
  }
}

CurlGlobal::~CurlGlobal() { curl_global_cleanup(); }

void CurlJsonPoster::EasyDeleter::operator()(void* easy) const noexcept {
  curl_easy_cleanup(static_cast<CURL*>(easy));
}

CurlJsonPoster::CurlJsonPoster(std::string url, std::chrono::milliseconds timeout)
    : url_(std::move(url)), timeout_(timeout), easy_(curl_easy_init()) {
  if (!easy_) throw std::runtime_error("curl_easy_init failed");
}

PostResult CurlJsonPoster::Post(const std::string& json) {
  CURL* easy = static_cast<CURL*>(easy_.get());
  curl_easy_reset(easy);  // keeps the connection cache, clears the last request's options
  Slist headers;
  AppendHeader(headers, "Content-Type: application/json");
  AppendHeader(headers, "User-Agent: lokahi-cpp-receivers/" LOKAHI_VERSION
                        " (+https://github.com/Xe/lokahi)");
  Response response;
  char error_buffer[CURL_ERROR_SIZE] = {};
  const long timeout_ms = static_cast<long>(timeout_.count());
  curl_easy_setopt(easy, CURLOPT_URL, url_.c_str());
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, std::min(timeout_ms, 5000L));
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(easy, CURLOPT_POSTFIELDS, json.data());
  curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(json.size()));
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &response);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_buffer);

  const CURLcode code = curl_easy_perform(easy);
  PostResult result;
  if (code != CURLE_OK) {
    // The error buffer names the host at most, never the path that holds the token.
    result.error = std::string(curl_easy_strerror(code)) +
                   (error_buffer[0] != '\0' ? std::string(": ") + error_buffer : "");
    return result;
  }
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &result.status_code);
  result.pause = RateLimitPause(response.ratelimit_remaining, response.ratelimit_reset_after);
  if (!result.Delivered()) {
    result.error =
        response.body.empty() ? "HTTP " + std::to_string(result.status_code) : response.body;
    result.retry_after = response.retry_after;
  }
  return result;
}

}  // namespace lokahi::receivers
