#include "lib/metrics/readiness.h"

#include <exception>

namespace lokahi::metrics {

Readiness Evaluate(const ReadinessCheck& check) {
  if (!check) return Readiness::Ready();
  try {
    return check();
  } catch (const std::exception& e) {
    return Readiness::NotReady(std::string("readiness check failed: ") + e.what());
  }
}

ReadinessCheck AllOf(std::vector<ReadinessCheck> checks) {
  return [checks = std::move(checks)] {
    Readiness combined = Readiness::Ready();
    for (const auto& check : checks) {
      Readiness one = Evaluate(check);
      if (one.ready) continue;
      if (!combined.ready) combined.reason += "; ";
      combined.ready = false;
      combined.reason += one.reason.empty() ? "not ready" : one.reason;
    }
    return combined;
  };
}

}  // namespace lokahi::metrics
