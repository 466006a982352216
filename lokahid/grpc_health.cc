#include "lokahid/grpc_health.h"

namespace lokahi::lokahid {

GrpcHealthFollower::GrpcHealthFollower(grpc::HealthCheckServiceInterface& health,
                                       metrics::ReadinessCheck readiness,
                                       std::chrono::milliseconds period, logging::Logger& log)
    : health_(health), readiness_(std::move(readiness)), period_(period), log_(log) {
  thread_ = std::thread([this] { Loop(); });
}

void GrpcHealthFollower::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
}

GrpcHealthFollower::~GrpcHealthFollower() {
  Stop();
  thread_.join();
}

void GrpcHealthFollower::Loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    const metrics::Readiness readiness = metrics::Evaluate(readiness_);
    lock.lock();
    if (stopping_) break;
    if (serving_ != readiness.ready) {
      health_.SetServingStatus(readiness.ready);
      if (serving_.has_value() || !readiness.ready) {
        log_.Info("grpc_health",
                  {{"serving", readiness.ready ? "true" : "false"}, {"reason", readiness.reason}});
      }
      serving_ = readiness.ready;
    }
    wake_.wait_for(lock, period_, [this] { return stopping_; });
  }
}

}  // namespace lokahi::lokahid
