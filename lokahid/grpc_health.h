#pragma once
// Keeps gRPC's standard health service (grpc.health.v1.Health, what gRPC load balancers and
// Kubernetes' gRPC probes ask) saying what /healthz says: NOT_SERVING while Postgres or NATS is
// out of reach, so clients move to a replica that can answer. Without it the service answers
// SERVING for as long as the process lives.

#include <grpcpp/health_check_service_interface.h>

#include <chrono>
#include <mutex>
#include <optional>

#include "lib/daemon/periodic_task.h"
#include "lib/logging/logger.h"
#include "lib/metrics/readiness.h"

namespace lokahi::lokahid {

class GrpcHealthFollower {
 public:
  // Evaluates `readiness` every `period` on its own thread and sets the serving status when it
  // changes. `health` must outlive this object.
  GrpcHealthFollower(grpc::HealthCheckServiceInterface& health, metrics::ReadinessCheck readiness,
                     std::chrono::milliseconds period, logging::Logger& log);
  // Stops following without waiting for a check in progress; once it returns the status is
  // never set again, so the caller can report NOT_SERVING for good (a server draining).
  void Stop();

 private:
  void Follow();

  grpc::HealthCheckServiceInterface& health_;
  const metrics::ReadinessCheck readiness_;
  logging::Logger& log_;
  std::mutex mutex_;
  bool stopped_ = false;         // guarded by mutex_
  std::optional<bool> serving_;  // guarded by mutex_
  daemon::PeriodicTask task_;    // last: its thread uses everything above
};

}  // namespace lokahi::lokahid
