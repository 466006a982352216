#pragma once
// A private nats-server on a free loopback port. Stop and Start keep the port, so tests can
// take NATS away and bring it back.

#include <memory>
#include <string>

#include "tests/support/child_process.h"

namespace lokahi::testing {

class NatsServer {
 public:
  NatsServer();
  ~NatsServer();
  void Stop();
  void Start();
  int port() const { return port_; }
  std::string Url() const { return "nats://127.0.0.1:" + std::to_string(port_); }

 private:
  int port_ = 0;
  std::string log_path_;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace lokahi::testing
