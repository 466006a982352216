#pragma once
// Serves an httplib server (plain or TLS) on a loopback address from a thread of its own. The
// socket listens before the constructor returns, so clients may connect at once.

#include <httplib.h>

#include <stdexcept>
#include <string>
#include <thread>

namespace lokahi::probe::testing {

class ServerThread {
 public:
  explicit ServerThread(httplib::Server& server, std::string host = "127.0.0.1")
      : server_(server), host_(std::move(host)), port_(server.bind_to_any_port(host_)) {
    if (port_ <= 0) throw std::runtime_error("httplib cannot bind " + host_);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~ServerThread() {
    server_.stop();
    thread_.join();
  }
  ServerThread(const ServerThread&) = delete;
  ServerThread& operator=(const ServerThread&) = delete;

  int port() const { return port_; }
  std::string Url(const std::string& path, const std::string& scheme = "http") const {
    return scheme + "://" + host_ + ":" + std::to_string(port_) + path;
  }

 private:
  httplib::Server& server_;
  std::string host_;
  int port_;
  std::thread thread_;
};

}  // namespace lokahi::probe::testing
