#pragma once
// Keeps gRPC's standard health service (grpc.health.v1.Health, what gRPC load balancers and
// Kubernetes' gRPC probes ask) saying what /healthz says: NOT_SERVING while Postgres or NATS is
// out of reach, so clients move to a replica that can answer. Without it the service answers
// SERVING for as long as the process lives.

#include <grpcpp/health_check_service_interface.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "lib/logging/logger.h"
#include "lib/metrics/readiness.h"

namespace lokahi::lokahid {

class GrpcHealthFollower {
 public:
  // Evaluates `readiness` every `period` on its own thread and sets the serving status when it
  // changes. `health` must outlive this object.
  GrpcHealthFollower(grpc::HealthCheckServiceInterface& health, metrics::ReadinessCheck readiness,
                     std::chrono::milliseconds period, logging::Logger& log);
  // Stops following without waiting for a check in progress, so the caller can then report
  // NOT_SERVING for good (as a server draining before its shutdown does).
  void Stop();
  // Stops and waits for the thread.
  ~GrpcHealthFollower();
  GrpcHealthFollower(const GrpcHealthFollower&) = delete;
  GrpcHealthFollower& operator=(const GrpcHealthFollower&) = delete;

 private:
  void Loop();

  grpc::HealthCheckServiceInterface& health_;
  metrics::ReadinessCheck readiness_;
  std::chrono::milliseconds period_;
  logging::Logger& log_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::optional<bool> serving_;
  std::thread thread_;
};

}  // namespace lokahi::lokahid
