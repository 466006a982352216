#pragma once
// Process lifecycle shared by the receivers: configuration errors, serving until SIGINT/SIGTERM.

#include <httplib.h>

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

// Listens on 0.0.0.0:`port` (throwing std::runtime_error with the reason when it cannot) and
// serves until SIGINT or SIGTERM, then stops accepting, lets requests under way finish and
// returns. Needs the signals blocked as RunReceiver does.
void ServeUntilSignalled(httplib::Server& server, int port, logging::Logger& logger);

}  // namespace lokahi::receivers
