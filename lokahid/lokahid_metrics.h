#pragma once
// lokahid's /metrics series: the scheduler's work, read from its statistics at scrape time, and
// every API call by transport, method and outcome.

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include "lib/metrics/registry.h"
#include "lokahid/scheduler.h"

namespace lokahi::lokahid {

// Which door of the one port a call came through: gRPC, a Twirp route, or one of the other HTTP
// API routes (purple's POST /events).
enum class ApiTransport { kGrpc, kTwirp, kHttp };

// "grpc", "twirp", "http": the `transport` label.
std::string_view ApiTransportName(ApiTransport transport);

// Every API call counted and timed the same way on each transport, so the two can be compared from
// /metrics: lokahi_api_calls_total{transport,method,code} and
// lokahi_api_call_duration_seconds{transport,method} (from the call's start to its answer, as the
// server sees it). Series are registered on first use. Thread-safe.
class ApiCallMetrics {
 public:
  // Distinct method labels kept; later names are counted as "other", so callers naming methods that
  // do not exist cannot grow /metrics without bound.
  static constexpr std::size_t kMaxMethods = 64;

  // `registry` must outlive this.
  explicit ApiCallMetrics(metrics::Registry& registry) : registry_(registry) {}

  // `method`: "github.xe.lokahi.Checks/Get" (package.Service/Method, as gRPC and Twirp name it) or,
  // for kHttp, the route's path ("/events"); anything else counts as "other". `code`: the outcome
  // in Twirp's words, which are gRPC's status names in lower case ("ok", "not_found",
  // "unauthenticated"; Twirp's own "bad_route", "malformed").
  void Record(ApiTransport transport, std::string_view method, std::string_view code,
              std::chrono::nanoseconds took);

 private:
  std::string MethodLabel(ApiTransport transport, std::string_view method);  // needs mutex_

  metrics::Registry& registry_;
  std::mutex mutex_;
  std::map<std::string, bool, std::less<>> methods_;  // guarded by mutex_
  std::map<std::tuple<ApiTransport, std::string, std::string>, metrics::Counter*>
      calls_;  // guarded by mutex_
  std::map<std::pair<ApiTransport, std::string>, metrics::Histogram*>
      durations_;  // guarded by mutex_
};

// A gRPC status code in Twirp's words: OK -> "ok", NOT_FOUND -> "not_found", CANCELLED ->
// "canceled".
std::string_view GrpcCodeName(int code);

metrics::Histogram& RegisterDispatchLag(metrics::Registry& registry);
void RegisterSchedulerReadings(metrics::Registry& registry, const Scheduler& scheduler);

}  // namespace lokahi::lokahid
