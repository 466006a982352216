#pragma once
// Process lifecycle shared by the receivers: configuration errors, serving until SIGINT/SIGTERM.

#include <httplib.h>

#include <cstddef>
#include <ctime>
#include <functional>
#include <string>

#include "lib/logging/logger.h"

namespace lokahi::receivers {

// Runs a receiver's `body` with a logger on stdout named `component` and returns the process
// exit code: body's result; 2 after a config::ConfigError, 1 after any other exception, each
// reported on stderr as "<component>: ..." so a bad setting fails fast and says which.
// Blocks SIGINT and SIGTERM first, in this and all later threads, so ServeUntilSignalled can
// take them synchronously: call it at the top of main(), before any thread starts.
int RunReceiver(const std::string& component, const std::function<int(logging::Logger&)>& body);

// httplib::Server tuned for a sender that opens many connections at once (a webhookworker posting
// in parallel):
// - httplib gives each connection a thread for as long as it stays open, idle keep-alive included,
//   and its default pool has 8, so a sender with more connections waited seconds for a thread;
// - the library listens with a backlog of 5, so a burst of connects overflowed it and some were
//   reset; Bind listens again with the system's maximum.
class ReceiverServer final : public httplib::Server {
 public:
  static constexpr std::size_t kThreads = 64;  // connections beyond this many still wait
  static constexpr time_t kKeepAliveIdleSeconds = 2;

  ReceiverServer();
  // Binds 0.0.0.0:`port`; throws std::runtime_error with the reason when it cannot.
  void Bind(int port);
};

// Binds `server` to 0.0.0.0:`port` and serves until SIGINT or SIGTERM, then stops accepting, lets
// requests under way finish and returns. Needs the signals blocked as RunReceiver does.
void ServeUntilSignalled(ReceiverServer& server, int port, logging::Logger& logger);

}  // namespace lokahi::receivers
