#include "lib/daemon/stop_signals.h"

#include <pthread.h>

namespace lokahi::daemon {

StopSignals::StopSignals() {
  sigemptyset(&set_);
  sigaddset(&set_, SIGTERM);
  sigaddset(&set_, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set_, nullptr);
}

int StopSignals::Wait() {
  int received = 0;
  sigwait(&set_, &received);
  return received;
}

}  // namespace lokahi::daemon
