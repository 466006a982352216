#pragma once
// Read-only figures the console and the status page show beyond what the Checks
// API returns: counts by state, what is failing now, recent transitions,
// per-day uptime for the 90-day bars and a check's latency series. Every query
// reads indexes or rollups (check_states' failing index, daily_uptime,
// hourly_results, results by check and time), never a scan of all results.
// Thread-safe; borrows a pool connection per call.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "lib/checks/check.h"
#include "lib/postgres/connection_pool.h"

namespace lokahi::lokahid {

struct StateCounts {
  int64_t init = 0, up = 0, down = 0, error = 0;
  int64_t total() const { return init + up + down + error; }
};

struct FailingCheck {
  std::string id;
  std::string url;  // the check's name when it has one
  checks::State state = checks::State::kDown;
  int64_t since_unix_s = 0;  // when it entered that state
  bool paused = false;
  std::string labels;  // "key=value, ..." by key
};

struct RecentTransition {
  std::string check_id;
  std::string url;  // the check's name when it has one
  checks::State from = checks::State::kInit;
  checks::State to = checks::State::kInit;
  int64_t at_unix_s = 0;
};

// One UTC day of probes: "2026-12-06", how many, how many UP.
struct DayUptime {
  std::string day;
  int64_t probes = 0;
  int64_t up = 0;
  int age = 0;  // days before today (UTC): 0 is today
};

// One point of a latency chart: the probes answered within [t, t + step).
struct LatencyPoint {
  int64_t t_unix_s = 0;
  double p50_ms = 0, p95_ms = 0;
  double dns_ms = 0, connect_ms = 0, tls_ms = 0, first_byte_ms = 0;  // means
};

class PgConsoleQueries final {
 public:
  explicit PgConsoleQueries(postgres::ConnectionPool& pool) : pool_(pool) {}

  StateCounts CountByState();
  // DOWN and ERROR checks, longest failing first.
  std::vector<FailingCheck> FailingNow(int limit);
  std::vector<RecentTransition> RecentTransitions(int limit);
  // The last `days` UTC days ending today, oldest first; days without probes
  // are left out.
  std::vector<DayUptime> DailyUptime(const std::string& check_id, int days);
  // The same for many checks at once, keyed by check id.
  std::map<std::string, std::vector<DayUptime>> DailyUptime(const std::vector<std::string>& ids,
                                                            int days);
  // Over `window` before now in steps of `step`; steps without answered probes
  // are left out.
  std::vector<LatencyPoint> LatencySeries(const std::string& check_id, std::chrono::seconds window,
                                          std::chrono::seconds step);

 private:
  postgres::ConnectionPool& pool_;
};

}  // namespace lokahi::lokahid
