#pragma once
// Test doubles for probing: raw TCP servers whose every connection a test scripts (for hostile
// targets httplib would not imitate), and a collector that waits for a prober's results.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "lib/probe/curl_multi_prober.h"

namespace lokahi::probe::testing {

// A TCP server on `host` (a loopback address) that runs `handler(fd)` for each connection on a
// thread of its own and closes the connection when the handler returns. Handlers must return soon
// after Stopping() turns true or the peer closes; the destructor waits for them.
class RawServer {
 public:
  using Handler = std::function<void(int fd, const RawServer& server)>;
  explicit RawServer(Handler handler, const std::string& host = "127.0.0.1");
  ~RawServer();
  RawServer(const RawServer&) = delete;
  RawServer& operator=(const RawServer&) = delete;

  int port() const { return port_; }
  std::string Url(std::string_view path = "/") const;
  int Connections() const { return connections_.load(); }
  bool Stopping() const { return stopping_.load(); }

 private:
  void AcceptLoop();

  std::string host_;
  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::mutex mutex_;
  std::vector<int> open_fds_;          // guarded by mutex_; connections not yet closed
  std::vector<std::thread> handlers_;  // guarded by mutex_
  std::thread acceptor_;
};

// Reads up to the blank line ending a request's head; "" on EOF, error or `server` stopping.
std::string ReadRequestHead(int fd, const RawServer& server);
// Writes all of `data`; false once the peer is gone.
bool WriteAll(int fd, std::string_view data);
// Blocks until the peer closes or the server stops.
void HoldUntilClosed(int fd, const RawServer& server);

// Collects results from a prober's completion handler.
class ResultCollector {
 public:
  CurlMultiProber::CompletionHandler Handler();
  // Waits until at least `count` results arrived or `timeout` passed; returns all so far, by tag.
  std::vector<ProbeResult> WaitFor(size_t count, std::chrono::milliseconds timeout);
  // Threads the handler ran on.
  std::vector<std::thread::id> HandlerThreads();

 private:
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<ProbeResult> results_;
  std::vector<std::thread::id> threads_;
};

// Probes one URL with a fresh prober and returns its result (fails the test on no result).
ProbeResult ProbeOnce(ProberOptions options, const std::string& url, int timeout_ms = 5000);
ProbeResult ProbeOnce(ProberOptions options, ProbeRequest request);

}  // namespace lokahi::probe::testing
