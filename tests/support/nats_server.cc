#include "tests/support/nats_server.h"

#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>

#include "tests/support/ports.h"

namespace lokahi::testing {

namespace {
std::string NatsServerBinary() {
  for (const char* candidate : {"/usr/bin/nats-server", "/usr/sbin/nats-server",
                                "/usr/local/bin/nats-server"}) {
    if (access(candidate, X_OK) == 0) return candidate;
  }
  throw std::runtime_error("nats-server not found: install the nats-server package");
}
}  // namespace

NatsServer::NatsServer() : port_(FreePort()) {
  log_path_ = "/tmp/lokahi-test-nats-" + std::to_string(getpid()) + "-" + std::to_string(port_) +
              ".log";
  Start();
}

NatsServer::~NatsServer() {
  Stop();
  std::error_code ignored;
  std::filesystem::remove(log_path_, ignored);
}

void NatsServer::Start() {
  process_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{NatsServerBinary(), "-a", "127.0.0.1", "-p", std::to_string(port_)},
      std::map<std::string, std::string>{}, log_path_);
  if (!WaitFor([&] { return PortAccepts(port_); }, std::chrono::seconds(20))) {
    throw std::runtime_error("nats-server did not start: " + process_->Log());
  }
}

void NatsServer::Stop() {
  if (process_) process_->Stop(SIGTERM, std::chrono::seconds(10));
  process_.reset();
}

}  // namespace lokahi::testing
