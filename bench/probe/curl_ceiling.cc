// The probe ceiling of this machine: the least a libcurl-multi program can do per fresh-connection
// request (URL, no reuse, body discarded; no callbacks, policies or result records), driven by
// epoll and curl_multi_socket_action as lib/probe is. bench/probe_rate --bare runs it against the
// same nginx target, so the pipeline's rate can be stated as a share of what the same machine
// offers in the same hour: this machine's speed varies by tens of per cent from day to day.
//
// Usage: curl_ceiling PORT [seconds=20] [in_flight=1000] [addresses=200]

#include <curl/curl.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/probe/probe_bench_args.h"

namespace {

using Clock = std::chrono::steady_clock;

struct EasyDeleter {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
struct MultiDeleter {
  void operator()(CURLM* multi) const { curl_multi_cleanup(multi); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;
using MultiHandle = std::unique_ptr<CURLM, MultiDeleter>;

class EpollFd {
 public:
  EpollFd() : fd_(epoll_create1(EPOLL_CLOEXEC)) {
    if (fd_ < 0) throw std::runtime_error("epoll_create1 failed");
  }
  ~EpollFd() { close(fd_); }
  EpollFd(const EpollFd&) = delete;
  EpollFd& operator=(const EpollFd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

size_t Discard(char*, size_t size, size_t count, void*) { return size * count; }

struct Loop {
  MultiHandle multi{curl_multi_init()};
  EpollFd epoll;
  long timeout_ms = -1;

  static int OnSocket(CURL*, curl_socket_t socket, int what, void* self, void*) {
    auto* loop = static_cast<Loop*>(self);
    epoll_event event{};
    event.data.fd = socket;
    if (what == CURL_POLL_REMOVE) {
      epoll_ctl(loop->epoll.get(), EPOLL_CTL_DEL, socket, nullptr);
      return 0;
    }
    event.events = (what & CURL_POLL_IN ? EPOLLIN : 0u) | (what & CURL_POLL_OUT ? EPOLLOUT : 0u);
    if (epoll_ctl(loop->epoll.get(), EPOLL_CTL_MOD, socket, &event) != 0) {
      epoll_ctl(loop->epoll.get(), EPOLL_CTL_ADD, socket, &event);
    }
    return 0;
  }
  static int OnTimer(CURLM*, long timeout_ms, void* self) {
    static_cast<Loop*>(self)->timeout_ms = timeout_ms;
    return 0;
  }
};

}  // namespace

int main(int argc, char** argv) {
  const lokahi::bench::ProbeBenchArgs args = lokahi::bench::ParseProbeBenchArgs(argc, argv);
  const size_t in_flight = args.in_flight;
  const std::vector<std::string>& urls = args.urls;
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return 1;
  Loop loop;
  curl_multi_setopt(loop.multi.get(), CURLMOPT_SOCKETFUNCTION, &Loop::OnSocket);
  curl_multi_setopt(loop.multi.get(), CURLMOPT_SOCKETDATA, &loop);
  curl_multi_setopt(loop.multi.get(), CURLMOPT_TIMERFUNCTION, &Loop::OnTimer);
  curl_multi_setopt(loop.multi.get(), CURLMOPT_TIMERDATA, &loop);

  size_t next_url = 0;
  const auto start = [&](CURL* easy) {
    curl_easy_setopt(easy, CURLOPT_URL, urls[next_url++ % urls.size()].c_str());
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(easy, CURLOPT_FORBID_REUSE, 1L);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Discard);
    curl_multi_add_handle(loop.multi.get(), easy);
  };
  std::vector<EasyHandle> handles;
  for (size_t i = 0; i < in_flight; ++i) {
    handles.emplace_back(curl_easy_init());
    start(handles.back().get());
  }

  // The first second (connection setup, allocator growth) is left out of the figure, as in
  // probe_rate.
  uint64_t completed = 0, not_200 = 0;
  const auto measure_from = Clock::now() + std::chrono::seconds(1);
  const auto deadline = measure_from + std::chrono::seconds(args.seconds);
  bool measuring = false;
  auto began = measure_from;
  double cpu_began = 0;
  std::vector<epoll_event> events(1024);
  int running = 0;
  curl_multi_socket_action(loop.multi.get(), CURL_SOCKET_TIMEOUT, 0, &running);
  while (Clock::now() < deadline) {
    if (!measuring && Clock::now() >= measure_from) {
      measuring = true;
      began = Clock::now();
      cpu_began = lokahi::bench::CpuSeconds();
      completed = not_200 = 0;
    }
    const int ready = epoll_wait(loop.epoll.get(), events.data(), static_cast<int>(events.size()),
                                 loop.timeout_ms < 0 ? 100 : static_cast<int>(loop.timeout_ms));
    if (ready <= 0) {
      curl_multi_socket_action(loop.multi.get(), CURL_SOCKET_TIMEOUT, 0, &running);
    }
    for (int i = 0; i < ready; ++i) {
      const int mask = (events[i].events & EPOLLIN ? CURL_CSELECT_IN : 0) |
                       (events[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
                       (events[i].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
      curl_multi_socket_action(loop.multi.get(), events[i].data.fd, mask, &running);
    }
    int left = 0;
    while (CURLMsg* message = curl_multi_info_read(loop.multi.get(), &left)) {
      if (message->msg != CURLMSG_DONE) continue;
      CURL* easy = message->easy_handle;
      long status = 0;
      curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
      if (status != 200) ++not_200;
      ++completed;
      curl_multi_remove_handle(loop.multi.get(), easy);
      start(easy);
    }
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - began).count();
  const double cpu = lokahi::bench::CpuSeconds() - cpu_began;
  for (auto& handle : handles) curl_multi_remove_handle(loop.multi.get(), handle.get());
  const double rate = completed / elapsed;
  const double us_per_request = completed ? cpu * 1e6 / completed : 0;
  std::printf("requests/s %.0f  CPU µs/request %.1f  CPU %.0f%% of a core  not 200: %llu\n", rate,
              us_per_request, 100 * cpu / elapsed, static_cast<unsigned long long>(not_200));
  std::printf(
      "{\"bench\":\"curl_ceiling\",\"in_flight\":%zu,\"seconds\":%.1f,\"requests_per_s\":%.0f,"
      "\"cpu_us_per_request\":%.1f,\"cpu_pct\":%.0f,\"not_200\":%llu}\n",
      in_flight, elapsed, rate, us_per_request, 100 * cpu / elapsed,
      static_cast<unsigned long long>(not_200));
  curl_global_cleanup();
  return 0;
}
