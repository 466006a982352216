#include "receivers/serving/serve_until_signalled.h"

#include <signal.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <iostream>
#include <stdexcept>
#include <thread>

#include "lib/config/env.h"

namespace lokahi::receivers {
namespace {

sigset_t StopSignalSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

// Waits for SIGINT/SIGTERM while `served` is false; returns the signal, or 0 once served.
int AwaitStopSignal(const std::atomic<bool>& served) {
  const sigset_t set = StopSignalSet();
  const timespec poll{0, 100'000'000};
  while (!served.load()) {
    const int signal = sigtimedwait(&set, nullptr, &poll);
    if (signal > 0) return signal;
  }
  return 0;
}

}  // namespace

int RunReceiver(const std::string& component, const std::function<int(logging::Logger&)>& body) {
  const sigset_t set = StopSignalSet();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  logging::Logger logger(component, std::cout);
  try {
    return body(logger);
  } catch (const config::ConfigError& error) {
    std::cerr << component << ": bad configuration: " << error.what() << std::endl;
    return 2;
  } catch (const std::exception& error) {
    std::cerr << component << ": " << error.what() << std::endl;
    return 1;
  }
}

ReceiverServer::ReceiverServer() {
  new_task_queue = [] { return new httplib::ThreadPool(kThreads); };
  set_keep_alive_timeout(kKeepAliveIdleSeconds);
}

void ReceiverServer::Bind(int port) {
  if (!bind_to_port("0.0.0.0", port)) {
    throw std::runtime_error("cannot listen on 0.0.0.0:" + std::to_string(port) + ": " +
                             std::strerror(errno) + " (is PORT already in use?)");
  }
  // Listening again on a listening socket only changes its backlog (Linux).
  if (::listen(svr_sock_, SOMAXCONN) != 0) {
    throw std::runtime_error("cannot raise the listen backlog on 0.0.0.0:" + std::to_string(port) +
                             ": " + std::strerror(errno));
  }
}

void ServeUntilSignalled(ReceiverServer& server, int port, logging::Logger& logger) {
  server.Bind(port);
  std::atomic<bool> served{false};
  std::thread stopper([&] {
    const int signal = AwaitStopSignal(served);
    if (signal == 0) return;
    logger.Info("stopping", {{"signal", sigabbrev_np(signal)}});
    // stop() is a no-op until the server runs, so a signal that lands during start-up is
    // repeated until listen_after_bind has returned.
    while (!served.load()) {
      server.stop();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  logger.Info("listening", {{"address", "0.0.0.0:" + std::to_string(port)}});
  const bool clean = server.listen_after_bind();
  served.store(true);
  stopper.join();
  if (!clean) logger.Warn("server_stopped_with_error");
}

}  // namespace lokahi::receivers
