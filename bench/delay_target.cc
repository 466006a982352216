// delay_target: an HTTP target that answers every request with 200 "ok" after a fixed delay, for
// the latency mode of bench/throughput (nginx cannot delay an answer by itself).
//
// One thread, one epoll set. The delay is the same for every connection, so connections become
// due in the order their requests arrived: a FIFO of (fd, due time) replaces a timer heap, and
// epoll_wait sleeps until the oldest is due. No keep-alive: each answer closes its connection,
// like a probe of a distinct host would see.
//
// usage: delay_target --port P --delay-ms D [--first-address 127.0.0.2] [--addresses 200]

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "lib/probe/unique_fd.h"

namespace {

using lokahi::probe::UniqueFd;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kAnswer =
    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
constexpr size_t kMaxRequestBytes = 16384;

struct Options {
  int port = 0;
  std::chrono::milliseconds delay{0};
  std::string first_address = "127.0.0.2";
  int addresses = 200;
};

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "delay_target: %s: %s\n", what.c_str(), std::strerror(errno));
  std::exit(1);
}

[[noreturn]] void Usage(const char* problem) {
  std::fprintf(stderr,
               "delay_target: %s\nusage: delay_target --port P --delay-ms D"
               " [--first-address 127.0.0.2] [--addresses 200]\n",
               problem);
  std::exit(2);
}

Options ParseOptions(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) Usage("every option takes a value");
    const char* value = argv[++i];
    if (flag == "--port") {
      o.port = std::atoi(value);
    } else if (flag == "--delay-ms") {
      o.delay = std::chrono::milliseconds(std::atoi(value));
    } else if (flag == "--first-address") {
      o.first_address = value;
    } else if (flag == "--addresses") {
      o.addresses = std::atoi(value);
    } else {
      Usage("unknown option");
    }
  }
  if (o.port <= 0 || o.port > 65535) Usage("--port must be 1-65535");
  if (o.delay.count() < 0) Usage("--delay-ms must not be negative");
  if (o.addresses < 1 || o.addresses > 250) Usage("--addresses must be 1-250");
  return o;
}

// Thousands of connections wait at once: lift the descriptor limit to what the system allows.
void RaiseDescriptorLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

UniqueFd Listen(in_addr address, int port) {
  UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) Fail("socket");
  const int on = 1;
  setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(port));
  sa.sin_addr = address;
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    char text[INET_ADDRSTRLEN] = {};
    inet_ntop(AF_INET, &address, text, sizeof text);
    Fail(std::string("bind ") + text + ":" + std::to_string(port));
  }
  if (listen(fd.get(), 65535) != 0) Fail("listen");
  return fd;
}

class DelayServer {
 public:
  DelayServer(const Options& options, int stop_fd) : delay_(options.delay), stop_fd_(stop_fd) {
    epoll_ = UniqueFd(epoll_create1(EPOLL_CLOEXEC));
    if (!epoll_.valid()) Fail("epoll_create1");
    in_addr address{};
    if (inet_pton(AF_INET, options.first_address.c_str(), &address) != 1) {
      Usage("--first-address must be an IPv4 address");
    }
    for (int i = 0; i < options.addresses; ++i) {
      in_addr next{htonl(ntohl(address.s_addr) + static_cast<uint32_t>(i))};
      listeners_.push_back(Listen(next, options.port));
      const int fd = listeners_.back().get();
      if (static_cast<size_t>(fd) >= is_listener_.size()) is_listener_.resize(fd + 1);
      is_listener_[fd] = true;
      Watch(fd, EPOLLIN);
    }
    Watch(stop_fd_, EPOLLIN);
  }

  // Serves until the stop descriptor becomes readable (SIGTERM or SIGINT).
  void Run() {
    std::vector<epoll_event> events(1024);
    while (true) {
      const int n = epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()),
                               MillisUntilNextDue());
      if (n < 0 && errno != EINTR) Fail("epoll_wait");
      for (int i = 0; i < n; ++i) {
        const int fd = events[i].data.fd;
        if (fd == stop_fd_) return;
        if (IsListener(fd)) {
          AcceptAll(fd);
        } else {
          ReadRequest(fd);
        }
      }
      AnswerDue();
    }
  }

 private:
  struct Waiting {
    int fd;
    Clock::time_point due;
  };

  void Watch(int fd, uint32_t events) {
    epoll_event ev{};
    ev.events = events;
    ev.data.fd = fd;
    if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) Fail("epoll_ctl");
  }

  bool IsListener(int fd) const {
    return static_cast<size_t>(fd) < is_listener_.size() && is_listener_[fd];
  }

  void AcceptAll(int listener) {
    while (true) {
      const int fd = accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EMFILE || errno == ENFILE) std::fprintf(stderr, "delay_target: out of fds\n");
        return;  // EAGAIN: drained; anything else: try again on the next readiness
      }
      if (static_cast<size_t>(fd) >= requests_.size()) requests_.resize(fd + 1024);
      requests_[fd].clear();
      Watch(fd, EPOLLIN);
    }
  }

  // Reads until the end of the request head, then queues the connection for its answer.
  void ReadRequest(int fd) {
    std::string& request = requests_[fd];
    char buffer[4096];
    while (true) {
      const ssize_t got = read(fd, buffer, sizeof buffer);
      if (got > 0) {
        request.append(buffer, static_cast<size_t>(got));
        if (request.find("\r\n\r\n") != std::string::npos) break;
        if (request.size() > kMaxRequestBytes) return Close(fd);
        continue;
      }
      if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;  // wait for more
      return Close(fd);  // peer closed or failed before a whole request
    }
    epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
    request.clear();
    waiting_.push_back({fd, Clock::now() + delay_});
  }

  void AnswerDue() {
    const auto now = Clock::now();
    while (!waiting_.empty() && waiting_.front().due <= now) {
      const int fd = waiting_.front().fd;
      waiting_.pop_front();
      // A fresh socket's send buffer always takes these few bytes; a peer that gave up meanwhile
      // gets nothing (EPIPE/ECONNRESET are fine).
      send(fd, kAnswer.data(), kAnswer.size(), MSG_NOSIGNAL);
      close(fd);
    }
  }

  int MillisUntilNextDue() const {
    if (waiting_.empty()) return -1;
    const auto left = waiting_.front().due - Clock::now();
    if (left <= Clock::duration::zero()) return 0;
    // Round up: waking early would only spin.
    return static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(left).count());
  }

  void Close(int fd) {
    requests_[fd].clear();
    close(fd);  // also leaves the epoll set
  }

  const std::chrono::milliseconds delay_;
  const int stop_fd_;
  UniqueFd epoll_;
  std::vector<UniqueFd> listeners_;
  std::vector<bool> is_listener_;      // by descriptor
  std::vector<std::string> requests_;  // by descriptor: the request head read so far
  std::deque<Waiting> waiting_;        // ordered by due time, since the delay is constant
};

UniqueFd BlockStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  if (sigprocmask(SIG_BLOCK, &signals, nullptr) != 0) Fail("sigprocmask");
  UniqueFd fd(signalfd(-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!fd.valid()) Fail("signalfd");
  return fd;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = ParseOptions(argc, argv);
  RaiseDescriptorLimit();
  const UniqueFd stop = BlockStopSignals();
  DelayServer server(options, stop.get());
  std::printf("delay_target: %d addresses from %s, port %d, delay %lld ms\n", options.addresses,
              options.first_address.c_str(), options.port,
              static_cast<long long>(options.delay.count()));
  std::fflush(stdout);
  server.Run();
  return 0;
}
