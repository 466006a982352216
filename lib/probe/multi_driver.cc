#include "lib/probe/multi_driver.h"

#include <sys/eventfd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <stdexcept>
#include <string>

namespace lokahi::probe {
namespace {

[[noreturn]] void ThrowErrno(const std::string& call) {
  throw std::runtime_error(call + " failed: " + std::strerror(errno));
}

uint32_t EpollEventsFor(int what) {
  uint32_t events = 0;
  if (what & CURL_POLL_IN) events |= EPOLLIN;
  if (what & CURL_POLL_OUT) events |= EPOLLOUT;
  return events;
}

int CurlEventsFor(uint32_t events) {
  int flags = 0;
  if (events & (EPOLLIN | EPOLLHUP | EPOLLRDHUP)) flags |= CURL_CSELECT_IN;
  if (events & EPOLLOUT) flags |= CURL_CSELECT_OUT;
  if (events & EPOLLERR) flags |= CURL_CSELECT_ERR;
  return flags;
}

}  // namespace

MultiDriver::MultiDriver()
    : epoll_(epoll_create1(EPOLL_CLOEXEC)),
      wake_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
      multi_(curl_multi_init()) {
  if (!epoll_.valid()) ThrowErrno("epoll_create1");
  if (!wake_.valid()) ThrowErrno("eventfd");
  if (!multi_) throw std::runtime_error("curl_multi_init failed (out of memory?)");
  epoll_event wake_event{};
  wake_event.events = EPOLLIN;
  wake_event.data.fd = wake_.get();
  if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, wake_.get(), &wake_event) != 0) {
    ThrowErrno("epoll_ctl(eventfd)");
  }
  CURLM* multi = multi_.get();
  if (curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &MultiDriver::OnSocket) != CURLM_OK ||
      curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, static_cast<void*>(this)) != CURLM_OK ||
      curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &MultiDriver::OnTimer) != CURLM_OK ||
      curl_multi_setopt(multi, CURLMOPT_TIMERDATA, static_cast<void*>(this)) != CURLM_OK) {
    throw std::runtime_error("curl_multi_setopt refused the socket or timer callback");
  }
}

CURLMcode MultiDriver::Add(CURL* easy) { return curl_multi_add_handle(multi_.get(), easy); }

void MultiDriver::Remove(CURL* easy) { curl_multi_remove_handle(multi_.get(), easy); }

void MultiDriver::Wake() noexcept {
  const uint64_t one = 1;
  // EAGAIN means the counter is saturated: the loop is already due to wake.
  [[maybe_unused]] const ssize_t written = ::write(wake_.get(), &one, sizeof one);
}

int MultiDriver::OnSocket(CURL*, curl_socket_t socket, int what, void* self,
                          void* socket_data) noexcept {
  auto* driver = static_cast<MultiDriver*>(self);
  const int epoll = driver->epoll_.get();
  if (what == CURL_POLL_REMOVE) {
    epoll_ctl(epoll, EPOLL_CTL_DEL, socket, nullptr);
    return 0;
  }
  epoll_event event{};
  event.events = EpollEventsFor(what);
  event.data.fd = socket;
  // socket_data marks sockets already registered; libcurl forgets it when the socket is removed.
  const bool known = socket_data != nullptr;
  if (epoll_ctl(epoll, known ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, socket, &event) != 0) {
    const int retry = errno == EEXIST ? EPOLL_CTL_MOD : errno == ENOENT ? EPOLL_CTL_ADD : -1;
    if (retry < 0 || epoll_ctl(epoll, retry, socket, &event) != 0) return -1;
  }
  if (!known) curl_multi_assign(driver->multi_.get(), socket, driver);
  return 0;
}

int MultiDriver::OnTimer(CURLM*, long timeout_ms, void* self) noexcept {
  auto* driver = static_cast<MultiDriver*>(self);
  if (timeout_ms < 0) {
    driver->timer_.reset();
  } else {
    driver->timer_ = Clock::now() + std::chrono::milliseconds(timeout_ms);
  }
  return 0;
}

void MultiDriver::Act(curl_socket_t socket, int events) {
  int running = 0;
  curl_multi_socket_action(multi_.get(), socket, events, &running);
}

bool MultiDriver::RunOnce(std::optional<Clock::time_point> deadline) {
  std::optional<Clock::time_point> wake_at = timer_;
  if (deadline && (!wake_at || *deadline < *wake_at)) wake_at = deadline;
  int timeout_ms = -1;
  if (wake_at) {
    const auto remaining = *wake_at - Clock::now();
    // Rounded up: waking a little early would spin until the deadline passes.
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(remaining).count();
    timeout_ms = static_cast<int>(std::clamp<int64_t>(ms, 0, INT_MAX));
  }
  int ready =
      epoll_wait(epoll_.get(), events_.data(), static_cast<int>(events_.size()), timeout_ms);
  if (ready < 0) ready = 0;  // EINTR; other errors cannot happen on a valid epoll fd

  bool woken = false;
  for (int i = 0; i < ready; ++i) {
    const int fd = events_[i].data.fd;
    if (fd == wake_.get()) {
      uint64_t count = 0;
      [[maybe_unused]] const ssize_t got = ::read(fd, &count, sizeof count);
      woken = true;
    } else {
      Act(fd, CurlEventsFor(events_[i].events));
    }
  }
  if (timer_ && Clock::now() >= *timer_) {
    timer_.reset();  // libcurl sets the next one from within the call
    Act(CURL_SOCKET_TIMEOUT, 0);
  }
  return woken;
}

std::optional<MultiDriver::Finished> MultiDriver::NextFinished() {
  int left = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_.get(), &left)) {
    if (message->msg == CURLMSG_DONE) return Finished{message->easy_handle, message->data.result};
  }
  return std::nullopt;
}

}  // namespace lokahi::probe
