#pragma once
// Process lifecycle shared by the receivers: configuration errors, serving until SIGINT/SIGTERM.

#include <functional>
#include <string>

#include "lib/http/server.h"
#include "lib/logging/logger.h"

namespace lokahi::receivers {

// Runs a receiver's `body` with a logger on stdout named `component`, at LOKAHI_LOG_LEVEL, and
// returns the process exit code: body's result; 2 after a config::ConfigError, 1 after any other
// exception, each logged at error level (event=bad_configuration, event=fatal) so a bad setting
// fails fast and says which.
// Blocks SIGINT and SIGTERM first, in this and all later threads, so ServeUntilSignalled can
// take them synchronously: call it at the top of main(), before any thread starts.
int RunReceiver(const std::string& component, const std::function<int(logging::Logger&)>& body);

// What every receiver serves with, on lib/http (which enforces it):
// - request bodies up to kMaxWebhookBodyBytes (413 beyond; 415 with any Content-Encoding);
// - up to 64 handlers at once, so a sender posting over many connections (a webhookworker posting
//   in parallel) is not kept waiting while a relay's handlers wait on the chat service;
// - up to 1024 connections; an idle kept-alive one is closed after 2 s;
// - headers within 10 s in total, a body within 10 s.
http::ServerLimits ReceiverLimits();

// Serves `handler` on `address`:`port` (an IP literal; empty = 0.0.0.0) with `limits` until
// SIGINT or SIGTERM, then stops accepting, lets requests under way finish and returns. Needs the
// signals blocked as RunReceiver does. Throws std::runtime_error naming the address and port when
// it cannot listen.
void ServeUntilSignalled(http::Handler handler, const std::string& address, int port,
                         logging::Logger& logger,
                         const http::ServerLimits& limits = ReceiverLimits());

}  // namespace lokahi::receivers
