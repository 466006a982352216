#include "lokahid/lokahid_metrics.h"

#include <array>

namespace lokahi::lokahid {
namespace {

// True for "package.Service/Method" with letters, digits, '_' and '.' only.
bool LooksLikeMethod(std::string_view method) {
  const auto slash = method.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == method.size() ||
      method.size() > 200) {
    return false;
  }
  for (std::size_t i = 0; i < method.size(); ++i) {
    const char c = method[i];
    const bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || (c == '.' && i < slash);
    if (!word && i != slash) return false;
  }
  return true;
}

// True for an HTTP route's path: "/events", "/a/b" (letters, digits, '_', '-', '/').
bool LooksLikeRoute(std::string_view route) {
  if (route.size() < 2 || route.size() > 100 || route[0] != '/') return false;
  for (const char c : route) {
    const bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '-' || c == '/';
    if (!word) return false;
  }
  return true;
}

// The latency buckets: 50 us to ~3.3 s, doubling.
std::vector<double> DurationBuckets() { return metrics::ExponentialBuckets(0.00005, 2, 17); }

}  // namespace

std::string_view ApiTransportName(ApiTransport transport) {
  switch (transport) {
    case ApiTransport::kGrpc:
      return "grpc";
    case ApiTransport::kTwirp:
      return "twirp";
    case ApiTransport::kHttp:
      return "http";
  }
  return "other";
}

std::string_view GrpcCodeName(int code) {
  static constexpr std::array<std::string_view, 17> kNames = {"ok",
                                                              "canceled",
                                                              "unknown",
                                                              "invalid_argument",
                                                              "deadline_exceeded",
                                                              "not_found",
                                                              "already_exists",
                                                              "permission_denied",
                                                              "resource_exhausted",
                                                              "failed_precondition",
                                                              "aborted",
                                                              "out_of_range",
                                                              "unimplemented",
                                                              "internal",
                                                              "unavailable",
                                                              "data_loss",
                                                              "unauthenticated"};
  if (code < 0 || code >= static_cast<int>(kNames.size())) return "unknown";
  return kNames[static_cast<std::size_t>(code)];
}

std::string ApiCallMetrics::MethodLabel(ApiTransport transport, std::string_view method) {
  const bool named =
      transport == ApiTransport::kHttp ? LooksLikeRoute(method) : LooksLikeMethod(method);
  if (!named) return "other";
  if (methods_.count(method)) return std::string(method);
  if (methods_.size() >= kMaxMethods) return "other";
  methods_.emplace(std::string(method), true);
  return std::string(method);
}

void ApiCallMetrics::Record(ApiTransport transport, std::string_view method, std::string_view code,
                            std::chrono::nanoseconds took) {
  metrics::Counter* calls = nullptr;
  metrics::Histogram* duration = nullptr;
  {
    std::lock_guard lock(mutex_);
    const std::string label = MethodLabel(transport, method);
    const std::string transport_name(ApiTransportName(transport));
    auto& counter = calls_[{transport, label, std::string(code)}];
    if (!counter) {
      counter = &registry_.AddCounter(
          "lokahi_api_calls_total", "API calls answered, by transport, method and outcome.",
          {{"transport", transport_name}, {"method", label}, {"code", std::string(code)}});
    }
    auto& histogram = durations_[{transport, label}];
    if (!histogram) {
      histogram = &registry_.AddHistogram(
          "lokahi_api_call_duration_seconds",
          "Time from an API call's start to its answer, by transport and method.",
          DurationBuckets(), {{"transport", transport_name}, {"method", label}});
    }
    calls = counter;
    duration = histogram;
  }
  calls->Increment();
  duration->Observe(std::chrono::duration<double>(took).count());
}

metrics::Histogram& RegisterDispatchLag(metrics::Registry& registry) {
  return registry.AddHistogram("lokahi_dispatch_lag_seconds",
                               "Time a slot was published minus its due time.",
                               metrics::ExponentialBuckets(0.005, 2, 12));
}

void RegisterSchedulerReadings(metrics::Registry& registry, const Scheduler& scheduler) {
  const auto& s = scheduler.stats();
  registry.AddComputedGauge("lokahi_scheduler_active",
                            "1 while this replica holds the scheduler lock.",
                            [&s] { return s.active.load() ? 1.0 : 0.0; });
  registry.AddComputedGauge("lokahi_scheduled_checks", "Checks in the active scheduler's queue.",
                            [&s] { return static_cast<double>(s.checks.load()); });
  registry.AddComputedCounter("lokahi_dispatched_slots_total", "Slots published on check.run.",
                              [&s] { return static_cast<double>(s.dispatched.load()); });
  registry.AddComputedCounter("lokahi_dispatch_batches_total", "check.run messages published.",
                              [&s] { return static_cast<double>(s.batches.load()); });
  registry.AddComputedCounter("lokahi_scheduler_skipped_slots_total",
                              "Slots the scheduler skipped (counted in skipped_slots): no "
                              "scheduler ran in time, NATS was disconnected, no healthworker "
                              "was subscribed, or a publish failed.",
                              [&s] { return static_cast<double>(s.skipped.load()); });
  registry.AddComputedCounter("lokahi_scheduler_unrouted_slots_total",
                              "Skipped slots of batches that reached no healthworker.",
                              [&s] { return static_cast<double>(s.skipped_unrouted.load()); });
  registry.AddComputedCounter("lokahi_scheduler_disconnected_slots_total",
                              "Skipped slots due while NATS was disconnected.",
                              [&s] { return static_cast<double>(s.skipped_disconnected.load()); });
  registry.AddComputedCounter("lokahi_scheduler_oversized_slots_total",
                              "Skipped slots of checks too large for one NATS message.",
                              [&s] { return static_cast<double>(s.skipped_oversized.load()); });
}

}  // namespace lokahi::lokahid
