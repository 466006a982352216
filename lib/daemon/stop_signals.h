#pragma once
// SIGTERM and SIGINT taken synchronously: construct first in main(), before any thread starts,
// so every thread inherits the blocked mask; then Wait() where the daemon should start stopping.

#include <csignal>

namespace lokahi::daemon {

class StopSignals {
 public:
  StopSignals();
  // Blocks until SIGTERM or SIGINT arrives; returns the signal number.
  int Wait();

 private:
  sigset_t set_;
};

}  // namespace lokahi::daemon
