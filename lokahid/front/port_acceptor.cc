#include "lokahid/front/port_acceptor.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <stdexcept>
#include <system_error>

namespace lokahi::lokahid {

namespace {
constexpr std::string_view kHttp2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
constexpr char kTlsHandshakeRecord = 0x16;
constexpr std::string_view kPlaintextRefusal =
    "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n"
    "Content-Length: 33\r\n\r\nthis port speaks TLS: use https\r\n";
constexpr auto kSweepEvery = std::chrono::seconds(1);
constexpr auto kSweepAtLimitEvery = std::chrono::milliseconds(100);

std::system_error SystemError(const std::string& what) {
  return std::system_error(errno, std::generic_category(), what);
}
}  // namespace

std::optional<WireProtocol> ClassifyFirstBytes(std::string_view first) {
  const size_t n = std::min(first.size(), kHttp2Preface.size());
  if (first.substr(0, n) != kHttp2Preface.substr(0, n)) return WireProtocol::kHttp1;
  if (n == kHttp2Preface.size()) return WireProtocol::kHttp2;
  return std::nullopt;
}

namespace {

// Binds and listens, or returns -1 with errno set.
int BindAndListen(const sockaddr* address, socklen_t length, bool dual_stack, int backlog) {
  const int fd = socket(address->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  const int one = 1;
  const int zero = 0;
  if (address->sa_family == AF_INET6) {
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, dual_stack ? &zero : &one, sizeof zero);
  }
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, address, length) != 0 || listen(fd, backlog) != 0) {
    const int saved = errno;
    close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

}  // namespace

int ListenOnPort(const std::string& address, int port, int backlog) {
  const auto net_port = htons(static_cast<uint16_t>(port));
  sockaddr_in v4{};
  v4.sin_family = AF_INET;
  v4.sin_port = net_port;
  sockaddr_in6 v6{};
  v6.sin6_family = AF_INET6;
  v6.sin6_port = net_port;
  const std::string where =
      (address.empty() ? std::string("every address") : address) + " port " + std::to_string(port);
  int fd = -1;
  if (address.empty()) {
    v6.sin6_addr = in6addr_any;
    fd = BindAndListen(reinterpret_cast<sockaddr*>(&v6), sizeof v6, true, backlog);
    if (fd < 0 && errno != EADDRINUSE) {  // no IPv6 on this host: IPv4 only
      v4.sin_addr.s_addr = htonl(INADDR_ANY);
      fd = BindAndListen(reinterpret_cast<sockaddr*>(&v4), sizeof v4, false, backlog);
    }
  } else if (inet_pton(AF_INET, address.c_str(), &v4.sin_addr) == 1) {
    fd = BindAndListen(reinterpret_cast<sockaddr*>(&v4), sizeof v4, false, backlog);
  } else if (inet_pton(AF_INET6, address.c_str(), &v6.sin6_addr) == 1) {
    // "::" stays dual-stack, as the default; a particular IPv6 address takes only itself.
    const bool any = IN6_IS_ADDR_UNSPECIFIED(&v6.sin6_addr);
    fd = BindAndListen(reinterpret_cast<sockaddr*>(&v6), sizeof v6, any, backlog);
  } else {
    throw std::invalid_argument("cannot listen on \"" + address.substr(0, 100) +
                                "\": not an IP address");
  }
  if (fd < 0) throw SystemError("cannot listen on " + where);
  return fd;
}

int BoundPort(int listen_fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (getsockname(listen_fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return 0;
  return PeerOf(reinterpret_cast<const sockaddr&>(address)).port;
}

PortAcceptor::PortAcceptor(int listen_fd, PortAcceptorOptions options, ConnectionRegistry& registry,
                           Handoffs handoffs, logging::Logger& log)
    : listen_fd_(listen_fd),
      wake_fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
      epoll_fd_(epoll_create1(EPOLL_CLOEXEC)),
      port_(BoundPort(listen_fd)),
      options_(options),
      registry_(registry),
      handoffs_(std::move(handoffs)),
      log_(log) {
  if (wake_fd_ < 0 || epoll_fd_ < 0) {
    const auto error = SystemError("acceptor event loop");
    if (wake_fd_ >= 0) close(wake_fd_);
    if (epoll_fd_ >= 0) close(epoll_fd_);
    close(listen_fd_);
    throw error;
  }
  fcntl(listen_fd_, F_SETFL, fcntl(listen_fd_, F_GETFL) | O_NONBLOCK);
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.fd = listen_fd_;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &event);
  event.data.fd = wake_fd_;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &event);
  thread_ = std::thread([this] { Loop(); });
}

PortAcceptor::~PortAcceptor() {
  Stop();
  if (thread_.joinable()) thread_.join();
  close(epoll_fd_);
  close(wake_fd_);
}

void PortAcceptor::Stop() {
  if (stopped_.exchange(true)) return;
  const uint64_t one = 1;
  [[maybe_unused]] const auto written = write(wake_fd_, &one, sizeof one);
}

void PortAcceptor::Loop() {
  using Clock = std::chrono::steady_clock;
  std::map<int, Clock::time_point> undecided;  // descriptor -> first-bytes deadline
  auto last_sweep = Clock::now();
  auto drop = [&](int fd) {
    epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
    registry_.Remove(fd);
    close(fd);
    undecided.erase(fd);
  };
  auto accept_all = [&] {
    for (;;) {
      sockaddr_storage address{};
      socklen_t length = sizeof address;
      const int fd = accept4(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length,
                             SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
          log_.Warn("accept_failed", {{"error", std::strerror(errno)}});
        }
        return;
      }
      if (registry_.size() >= options_.max_connections &&
          Clock::now() - last_sweep >= kSweepAtLimitEvery) {
        registry_.Sweep();
        last_sweep = Clock::now();
      }
      if (registry_.size() >= options_.max_connections) {
        refused_.fetch_add(1);  // before the close, which the refused client may see first
        close(fd);
        continue;
      }
      const int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      registry_.Add(fd, PeerOf(reinterpret_cast<const sockaddr&>(address)));
      epoll_event event{};
      // Edge-triggered: a client that sent a prefix of the preface wakes the loop again only
      // when more bytes arrive (level-triggered, its unread bytes would wake it without end).
      event.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
      event.data.fd = fd;
      epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event);
      undecided[fd] = Clock::now() + options_.first_bytes_deadline;
    }
  };
  auto decide = [&](int fd) {
    char first[kHttp2Preface.size()];
    const ssize_t n = recv(fd, first, sizeof first, MSG_PEEK);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
    if (n <= 0) {  // closed or failed before saying anything
      drop(fd);
      return;
    }
    if (handoffs_.tls) {
      if (first[0] != kTlsHandshakeRecord) {
        // Plaintext on a TLS port: refused, so credentials are never taken in the clear. An
        // HTTP/1.1 client is told why (best effort: the socket may not take it).
        if (ClassifyFirstBytes(std::string_view(first, static_cast<size_t>(n))) ==
            WireProtocol::kHttp1) {
          [[maybe_unused]] const auto sent =
              send(fd, kPlaintextRefusal.data(), kPlaintextRefusal.size(), MSG_NOSIGNAL);
        }
        plaintext_refused_.fetch_add(1);
        drop(fd);
        return;
      }
      epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
      undecided.erase(fd);
      handoffs_.tls(fd, registry_.PeerOfDescriptor(fd).value_or(PeerAddress{}));
      return;
    }
    const auto protocol = ClassifyFirstBytes(std::string_view(first, static_cast<size_t>(n)));
    if (!protocol) return;  // a prefix of the preface so far: wait for more
    epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
    undecided.erase(fd);
    auto peer = registry_.PeerOfDescriptor(fd).value_or(PeerAddress{});
    const auto& handoff = *protocol == WireProtocol::kHttp2 ? handoffs_.http2 : handoffs_.http1;
    handoff(fd, peer);
  };

  epoll_event events[64];
  while (!stopped_.load()) {
    auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(kSweepEvery);
    const auto now = Clock::now();
    for (const auto& [fd, deadline] : undecided) {
      timeout = std::min(timeout, std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::max(deadline - now, Clock::duration::zero())) +
                                      std::chrono::milliseconds(1));
    }
    const int ready = epoll_wait(epoll_fd_, events, 64, static_cast<int>(timeout.count()));
    if (ready < 0 && errno != EINTR) {
      log_.Error("acceptor_failed", {{"error", std::strerror(errno)}});
      break;
    }
    for (int i = 0; i < ready; ++i) {
      const int fd = events[i].data.fd;
      if (fd == wake_fd_) continue;
      if (fd == listen_fd_) {
        accept_all();
      } else if (undecided.contains(fd)) {
        decide(fd);
      }
    }
    const auto after = Clock::now();
    std::vector<int> expired;
    for (const auto& [fd, deadline] : undecided) {
      if (deadline <= after) expired.push_back(fd);
    }
    for (int fd : expired) drop(fd);
    if (after - last_sweep >= kSweepEvery) {
      registry_.Sweep();
      last_sweep = after;
    }
  }
  close(listen_fd_);
  for (const auto& [fd, deadline] : std::map(undecided)) drop(fd);
}

}  // namespace lokahi::lokahid
