#pragma once
// Whether a daemon can do its work right now, as /healthz reports it.

#include <functional>
#include <string>
#include <vector>

namespace lokahi::metrics {

struct Readiness {
  bool ready = true;
  std::string reason;  // why not ready, for an operator: e.g. "nats: disconnected"

  static Readiness Ready() { return {true, {}}; }
  static Readiness NotReady(std::string reason) { return {false, std::move(reason)}; }
};

// Called on every /healthz request, from the ops server's threads: must be thread-safe and quick.
using ReadinessCheck = std::function<Readiness()>;

// Ready when every check is; otherwise the reasons of all that are not, joined by "; ". A check
// that throws counts as not ready, with the exception's message as its reason.
ReadinessCheck AllOf(std::vector<ReadinessCheck> checks);

// Runs one check, turning an exception into NotReady.
Readiness Evaluate(const ReadinessCheck& check);

}  // namespace lokahi::metrics
