#pragma once
// Whether this healthworker's own network path (its "vantage") can be trusted,
// judged from two signals: canary targets (LOKAHI_CANARY_URLS) probed every few
// seconds, and the rate of path failures (connect, DNS, timeout) across the
// distinct hosts it probes, against its own recent baseline. Pure: no clock, no
// I/O; the caller feeds observations with their times.
//
// The rules:
// - Canaries arbitrate. With canaries configured, a round in which none of them
// gave an HTTP
//   answer makes the vantage impaired; `recover_rounds` consecutive rounds in
//   which at least one answered make it healthy again. A failure spike alone
//   does not impair a worker whose canaries answer: then the many hosts failing
//   at once is an outage worth reporting, not our uplink.
// - Without canaries, a failure spike impairs: within `spike_window`, at least
// `spike_min_hosts`
//   distinct hosts failed on the path (as their latest probe found them), they
//   make at least `spike_min_ratio` of the hosts probed, and that ratio is at
//   least `spike_baseline_factor` times the ratio of the `baseline_window`
//   before. While impaired, the hosts that failed serve as canaries (the worker
//   takes no other work), and recovery follows the canary rule.
//
// Thread-safety: none; the owner serialises calls.

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace lokahi::healthworker {

struct VantageOptions {
  std::chrono::milliseconds spike_window{std::chrono::seconds(30)};
  std::chrono::milliseconds baseline_window{std::chrono::minutes(10)};
  int spike_min_hosts = 5;
  double spike_min_ratio = 0.5;
  double spike_baseline_factor = 3.0;
  int recover_rounds = 2;
  size_t max_recovery_targets = 5;  // failing hosts re-probed while impaired without canaries
};

enum class Vantage { kHealthy, kImpaired };

// True when a probe error says the path failed (no connection, no name, no
// answer in time), as opposed to the target answering badly (refused, TLS,
// redirects, an HTTP status).
bool IsPathFailure(std::string_view error);

// The host of an http(s) URL, lowercased, without userinfo or port ("" when
// there is none).
std::string HostOf(std::string_view url);

class VantageJudge {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  VantageJudge(VantageOptions options, bool canaries_configured);

  struct Change {
    bool changed = false;
    Vantage now = Vantage::kHealthy;
    std::string reason;  // why, when changed: "canaries: 0 of 3 answered",
                         // "failure spike: …"
  };

  // A finished probe of a check; `path_failure` per IsPathFailure (false for
  // any HTTP answer).
  void ObserveProbe(TimePoint at, std::string_view url, bool path_failure);
  // One round of canaries: how many were probed and how many gave an HTTP
  // answer (any status).
  Change ObserveCanaryRound(TimePoint at, int probed, int answered);
  // Judges the failure spike as of `at` (call after observing probes; a no-op
  // with canaries, whose rounds decide).
  Change EvaluateSpike(TimePoint at);

  Vantage state() const { return state_; }
  // True when the spike rule holds as of the last EvaluateSpike (shown on
  // /metrics).
  bool spike() const { return spike_; }
  // URLs to probe as canaries while impaired when none are configured.
  std::vector<std::string> RecoveryTargets() const { return recovery_targets_; }

 private:
  struct HostSeen {
    bool failed = false;  // as the host's latest probe in the bucket found it
    std::string url;
  };
  // One second of observations.
  struct Bucket {
    int64_t second = 0;
    std::map<std::string, HostSeen, std::less<>> hosts;
  };
  void Trim(TimePoint at);
  Change Become(Vantage next, std::string reason);

  const VantageOptions options_;
  const bool canaries_configured_;
  Vantage state_ = Vantage::kHealthy;
  bool spike_ = false;
  int answering_rounds_ = 0;
  std::deque<Bucket> buckets_;  // oldest first, within baseline_window + spike_window
  std::vector<std::string> recovery_targets_;
};

}  // namespace lokahi::healthworker
