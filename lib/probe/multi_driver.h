#pragma once
// Drives one libcurl multi handle with epoll: libcurl's sockets (CURLMOPT_SOCKETFUNCTION), its
// single timer (CURLMOPT_TIMERFUNCTION, kept as a deadline and served through the epoll_wait
// timeout) and an eventfd that other threads signal to wake the loop. Internal to lokahi_probe.
//
// Thread-safety: Wake() may be called from any thread; everything else only on the loop thread.

#include <sys/epoll.h>

#include <array>
#include <chrono>
#include <optional>

#include "lib/probe/curl_handles.h"
#include "lib/probe/unique_fd.h"

namespace lokahi::probe {

class MultiDriver {
 public:
  using Clock = std::chrono::steady_clock;

  MultiDriver();  // throws std::runtime_error naming the failed call
  MultiDriver(const MultiDriver&) = delete;
  MultiDriver& operator=(const MultiDriver&) = delete;

  CURLMcode Add(CURL* easy);
  void Remove(CURL* easy);
  void Wake() noexcept;

  // Waits for socket activity, libcurl's timer, a Wake() or `deadline`, whichever comes first, and
  // lets libcurl act on it. Returns true when Wake() was called since the previous call.
  bool RunOnce(std::optional<Clock::time_point> deadline);

  struct Finished {
    CURL* easy;
    CURLcode code;
  };
  // The next transfer libcurl has finished (still attached: Remove it), or nullopt.
  std::optional<Finished> NextFinished();

 private:
  static int OnSocket(CURL* easy, curl_socket_t socket, int what, void* self,
                      void* socket_data) noexcept;
  static int OnTimer(CURLM* multi, long timeout_ms, void* self) noexcept;
  void Act(curl_socket_t socket, int events);

  // Declared before multi_: libcurl may report sockets removed while the multi handle is cleaned
  // up.
  UniqueFd epoll_;
  UniqueFd wake_;
  MultiHandle multi_;
  std::optional<Clock::time_point> timer_;
  std::array<epoll_event, 512> events_{};
};

}  // namespace lokahi::probe
