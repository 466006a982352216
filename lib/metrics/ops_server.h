#pragma once
// The operator's HTTP endpoint of a daemon, on its own port and threads:
//   GET /metrics  the registry in the Prometheus text format
//   GET /healthz  200 "ok" when ready, else 503 with the reason ("nats: disconnected")
// Listens on address:port from construction until destruction, on lib/http: no request body is
// accepted (413; 415 with a Content-Encoding), headers must arrive within 5 s in total, and a
// slow or hostile client never holds the threads that answer /healthz.

#include <memory>
#include <string>

#include "lib/logging/logger.h"
#include "lib/metrics/readiness.h"
#include "lib/metrics/registry.h"

namespace lokahi::metrics {

class OpsServer final {
 public:
  // `address` is an IP literal (LOKAHI_METRICS_ADDRESS), empty for every IPv4 address (0.0.0.0).
  // `port` 0 disables the server (nothing listens). Throws std::runtime_error naming the address
  // and port when they cannot be bound. `registry` and whatever `readiness` reads must outlive
  // this object. Logs client mistakes to `log`, which must outlive this object.
  OpsServer(const std::string& address, int port, Registry& registry, ReadinessCheck readiness,
            logging::Logger& log);
  // On every IPv4 address, logging to stderr as component "ops_server".
  OpsServer(int port, Registry& registry, ReadinessCheck readiness);
  // Stops listening and waits for requests in progress to finish.
  ~OpsServer();
  OpsServer(const OpsServer&) = delete;
  OpsServer& operator=(const OpsServer&) = delete;

  bool listening() const { return impl_ != nullptr; }

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lokahi::metrics
