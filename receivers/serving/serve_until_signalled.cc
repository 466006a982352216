#include "receivers/serving/serve_until_signalled.h"

#include <signal.h>

#include <cstring>
#include <iostream>
#include <stdexcept>

#include "lib/config/daemon_settings.h"
#include "lib/config/env.h"
#include "receivers/serving/webhook_endpoint.h"

namespace lokahi::receivers {
namespace {

sigset_t StopSignalSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

// Waits for SIGINT or SIGTERM (blocked by RunReceiver) and returns it.
int AwaitStopSignal() {
  const sigset_t set = StopSignalSet();
  int signal = 0;
  while (sigwait(&set, &signal) != 0) {
  }
  return signal;
}

}  // namespace

int RunReceiver(const std::string& component, const std::function<int(logging::Logger&)>& body) {
  const sigset_t set = StopSignalSet();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  logging::Logger logger(component, std::cout);
  try {
    logger.SetMinimumLevel(config::ReadLogLevel(config::Env::Process()));
    return body(logger);
  } catch (const config::ConfigError& error) {
    logger.Error("bad_configuration", {{"error", error.what()}});
    return 2;
  } catch (const std::exception& error) {
    logger.Error("fatal", {{"error", error.what()}});
    return 1;
  }
}

http::ServerLimits ReceiverLimits() {
  http::ServerLimits limits;
  limits.max_body_bytes = kMaxWebhookBodyBytes;
  limits.header_deadline = std::chrono::seconds(10);
  limits.body_deadline = std::chrono::seconds(10);
  limits.idle_timeout = std::chrono::seconds(2);
  limits.max_connections = 1024;
  limits.io_threads = 1;
  limits.handler_threads = 64;
  return limits;
}

void ServeUntilSignalled(http::Handler handler, const std::string& address, int port,
                         logging::Logger& logger, const http::ServerLimits& limits) {
  http::Server server(std::move(handler), limits, logger);
  const std::string host = address.empty() ? "0.0.0.0" : address;
  try {
    server.Listen(host, static_cast<uint16_t>(port));
  } catch (const std::runtime_error& error) {
    throw std::runtime_error(std::string(error.what()) + " (is PORT already in use?)");
  }
  const bool v6 = host.find(':') != std::string::npos;
  logger.Info("listening",
              {{"address", (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port)}});
  const int signal = AwaitStopSignal();
  logger.Info("stopping", {{"signal", sigabbrev_np(signal)}});
  server.Stop();
}

}  // namespace lokahi::receivers
