#include "lokahid/grpc_health.h"

namespace lokahi::lokahid {

GrpcHealthFollower::GrpcHealthFollower(grpc::HealthCheckServiceInterface& health,
                                       metrics::ReadinessCheck readiness,
                                       std::chrono::milliseconds period, logging::Logger& log)
    : health_(health),
      readiness_(std::move(readiness)),
      log_(log),
      task_(period, [this] { Follow(); }) {}

void GrpcHealthFollower::Stop() {
  task_.Stop();
  std::lock_guard lock(mutex_);  // waits out a status being set right now
  stopped_ = true;
}

void GrpcHealthFollower::Follow() {
  const metrics::Readiness readiness = metrics::Evaluate(readiness_);
  std::lock_guard lock(mutex_);
  if (stopped_ || serving_ == readiness.ready) return;
  health_.SetServingStatus(readiness.ready);
  if (serving_.has_value() || !readiness.ready) {
    log_.Info("grpc_health",
              {{"serving", readiness.ready ? "true" : "false"}, {"reason", readiness.reason}});
  }
  serving_ = readiness.ready;
}

}  // namespace lokahi::lokahid
