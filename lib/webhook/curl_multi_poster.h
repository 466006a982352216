#pragma once
// Many HTTP POSTs at once over one libcurl multi handle, driven by the caller's thread.
//
// Egress rules: http and https only; redirects are not followed (a 3xx is just an answer);
// proxy environment variables are ignored; every request has a total timeout; no signals.
//
// Thread-safety: Start, Poll, AbortAll and in_flight belong to one thread (the owner's loop).
// Wake may be called from any thread.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct sockaddr;

namespace lokahi::webhook {

// libcurl's process-wide state: declare one in main() before any poster, like nats::Library.
class CurlLibrary {
 public:
  CurlLibrary();  // throws std::runtime_error when libcurl cannot initialise
  ~CurlLibrary();
  CurlLibrary(const CurlLibrary&) = delete;
  CurlLibrary& operator=(const CurlLibrary&) = delete;
};

struct PostRequest {
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  std::chrono::milliseconds timeout{10000};
};

struct PostResponse {
  int status_code = 0;                     // 0 = no HTTP answer (DNS, connect, TLS, timeout)
  std::string error;                       // libcurl's reason when status_code is 0
  std::optional<std::string> retry_after;  // the final answer's Retry-After header, raw
  std::chrono::nanoseconds elapsed{0};
};

// Judges the address a transfer is about to connect to (after DNS, on every connection, so
// redirects are moot and DNS rebinding cannot get around it): nullopt allows it, otherwise the
// reason it is refused, which becomes the response's error. Called on the Poll thread; must not
// throw.
using ConnectPolicy = std::function<std::optional<std::string>(const sockaddr& address)>;

class CurlMultiPoster final {
 public:
  using Completion = std::function<void(PostResponse&&)>;

  // Throws std::runtime_error if libcurl cannot create a multi handle. An empty policy allows
  // every address.
  explicit CurlMultiPoster(ConnectPolicy connect_policy = {});
  ~CurlMultiPoster();
  CurlMultiPoster(const CurlMultiPoster&) = delete;
  CurlMultiPoster& operator=(const CurlMultiPoster&) = delete;

  // Begins a POST. `on_done` runs later on the Poll thread, exactly once, unless AbortAll drops
  // the transfer first. A request libcurl refuses outright completes on the next Poll.
  void Start(PostRequest request, Completion on_done);

  // Moves transfers along for at most `wait`: returns early once a transfer finished (after
  // running its completion) or Wake was called.
  void Poll(std::chrono::milliseconds wait);

  // Interrupts a Poll in progress, or makes the next one return at once. Thread-safe.
  void Wake();

  // Drops every unfinished transfer without running its completion.
  void AbortAll();

  size_t in_flight() const { return transfers_.size(); }

 private:
  struct Transfer;
  struct MultiDeleter {
    void operator()(void* multi) const noexcept;
  };
  void FinishCompleted();

  const ConnectPolicy connect_policy_;
  std::unique_ptr<void, MultiDeleter> multi_;
  std::map<void*, std::unique_ptr<Transfer>> transfers_;  // keyed by easy handle
  std::vector<std::unique_ptr<Transfer>> refused_;        // completed on the next Poll
};

}  // namespace lokahi::webhook
