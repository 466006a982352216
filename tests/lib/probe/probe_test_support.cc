#include "tests/lib/probe/probe_test_support.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

namespace lokahi::probe::testing {
namespace {

constexpr int kPollSliceMs = 20;
constexpr size_t kMaxRequestHead = 64 * 1024;

// Waits for `fd` to become readable; false when the server is stopping.
bool WaitReadable(int fd, const RawServer& server) {
  while (!server.Stopping()) {
    pollfd entry{fd, POLLIN, 0};
    const int ready = poll(&entry, 1, kPollSliceMs);
    if (ready > 0) return true;
  }
  return false;
}

}  // namespace

RawServer::RawServer(Handler handler, const std::string& host)
    : host_(host), handler_(std::move(handler)) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  inet_pton(AF_INET, host.c_str(), &address.sin_addr);
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      listen(listen_fd_, 512) != 0) {
    close(listen_fd_);
    throw std::runtime_error("RawServer cannot listen on " + host);
  }
  socklen_t length = sizeof address;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

RawServer::~RawServer() {
  stopping_ = true;
  acceptor_.join();
  close(listen_fd_);
  std::vector<std::thread> handlers;
  {
    std::lock_guard lock(mutex_);
    for (const int fd : open_fds_) shutdown(fd, SHUT_RDWR);
    handlers.swap(handlers_);
  }
  for (std::thread& handler : handlers) handler.join();
}

std::string RawServer::Url(std::string_view path) const {
  return "http://" + host_ + ":" + std::to_string(port_) + std::string(path);
}

void RawServer::AcceptLoop() {
  while (WaitReadable(listen_fd_, *this)) {
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    ++connections_;
    std::lock_guard lock(mutex_);
    open_fds_.push_back(fd);
    handlers_.emplace_back([this, fd] {
      handler_(fd, *this);
      // Closed under the lock so the destructor never shuts down a reused descriptor.
      std::lock_guard closing(mutex_);
      std::erase(open_fds_, fd);
      close(fd);
    });
  }
}

std::string ReadRequestHead(int fd, const RawServer& server) {
  std::string head;
  char buffer[4096];
  while (head.find("\r\n\r\n") == std::string::npos && head.size() < kMaxRequestHead) {
    if (!WaitReadable(fd, server)) return "";
    const ssize_t got = read(fd, buffer, sizeof buffer);
    if (got <= 0) return "";
    head.append(buffer, static_cast<size_t>(got));
  }
  return head;
}

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t sent = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (sent <= 0) return false;
    data.remove_prefix(static_cast<size_t>(sent));
  }
  return true;
}

void HoldUntilClosed(int fd, const RawServer& server) {
  char buffer[4096];
  while (WaitReadable(fd, server)) {
    if (read(fd, buffer, sizeof buffer) <= 0) return;
  }
}

CurlMultiProber::CompletionHandler ResultCollector::Handler() {
  return [this](std::vector<ProbeResult>&& batch) {
    std::lock_guard lock(mutex_);
    for (ProbeResult& result : batch) results_.push_back(std::move(result));
    threads_.push_back(std::this_thread::get_id());
    arrived_.notify_all();
  };
}

std::vector<ProbeResult> ResultCollector::WaitFor(size_t count, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  arrived_.wait_for(lock, timeout, [&] { return results_.size() >= count; });
  std::vector<ProbeResult> results = results_;
  std::sort(results.begin(), results.end(),
            [](const ProbeResult& a, const ProbeResult& b) { return a.tag < b.tag; });
  return results;
}

std::vector<std::thread::id> ResultCollector::HandlerThreads() {
  std::lock_guard lock(mutex_);
  return threads_;
}

ProbeResult ProbeOnce(ProberOptions options, const std::string& url, int timeout_ms) {
  return ProbeOnce(std::move(options), ProbeRequest{1, url, timeout_ms});
}

ProbeResult ProbeOnce(ProberOptions options, ProbeRequest request) {
  ResultCollector collector;
  CurlMultiProber prober(std::move(options), collector.Handler());
  const std::string url = request.url;
  const auto timeout = std::chrono::milliseconds(request.timeout_ms) + std::chrono::seconds(10);
  std::vector<ProbeRequest> requests;
  requests.push_back(std::move(request));
  prober.Submit(std::move(requests));
  std::vector<ProbeResult> results = collector.WaitFor(1, timeout);
  prober.Stop(std::chrono::milliseconds(0));
  if (results.size() != 1) {
    ADD_FAILURE() << "expected one result for " << url << ", got " << results.size();
    return ProbeResult{};
  }
  return results.front();
}

}  // namespace lokahi::probe::testing
