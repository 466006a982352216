#pragma once
// Runs the VantageJudge: probes the canaries every `interval` on a prober of
// its own, feeds it every finished probe of a check, and tells the owner when
// the vantage changes.
//
// Path failures (connect, DNS, timeout) of checks are held until a canary round
// that started after they finished has been judged, then released to the
// batcher: as they were when the vantage is healthy, as INCONCLUSIVE when it is
// impaired. So a worker whose uplink drops records no ERROR in the seconds
// before it notices (one interval plus one canary timeout at most), and a
// single worker with its egress gone yields no data, never DOWN. Results with
// an HTTP answer pass at once: an answer proves the path.
//
// Thread-safety: Screen, Impaired and the counters may be called from any
// thread; the canary loop and the change callback run on the monitor's own
// thread.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "healthworker/vantage_judge.h"
#include "lib/logging/logger.h"
#include "lib/probe/curl_multi_prober.h"
#include "lib/store/result_writer.h"

namespace lokahi::healthworker {

struct VantageMonitorOptions {
  std::vector<std::string> canary_urls;      // LOKAHI_CANARY_URLS
  std::chrono::milliseconds interval{2000};  // LOKAHI_CANARY_INTERVAL_MS
  int canary_timeout_ms = 2000;              // LOKAHI_CANARY_TIMEOUT_MS
  VantageOptions judge;
  probe::ProberOptions prober;  // egress policy and proxy as the checks' prober has them
};

struct VantageStats {
  std::atomic<long long> canary_rounds{0}, canary_failed_rounds{0};
  std::atomic<long long> impaired_total{0}, recovered_total{0};
  std::atomic<long long> inconclusive{0};  // results recorded INCONCLUSIVE
  std::atomic<long long> held{0};          // path failures waiting for a round now
  std::atomic<bool> spike{false};
};

class VantageMonitor {
 public:
  using Release = std::function<void(std::vector<store::ProbeRecord>&&)>;
  // Called on the monitor's thread when the vantage changes, with the judge's
  // reason.
  using OnChange = std::function<void(Vantage now, const std::string& reason)>;

  VantageMonitor(VantageMonitorOptions options, Release release, OnChange on_change,
                 logging::Logger& log);
  ~VantageMonitor();
  VantageMonitor(const VantageMonitor&) = delete;
  VantageMonitor& operator=(const VantageMonitor&) = delete;

  // Observes finished probes of checks (`urls[i]` is records[i]'s URL) and
  // returns those that go to the batcher now; the path failures among them come
  // later, through `release`.
  std::vector<store::ProbeRecord> Screen(std::vector<store::ProbeRecord>&& records,
                                         const std::vector<std::string>& urls);
  bool Impaired() const { return impaired_.load(); }
  std::string Reason() const;
  const VantageStats& stats() const { return stats_; }
  // Stops the loop and releases everything held, judged as the vantage stands.
  void Stop();

 private:
  struct Held {
    store::ProbeRecord record;
    std::chrono::steady_clock::time_point finished;
  };
  void Loop();
  // Releases what finished before `before`; INCONCLUSIVE when impaired.
  void ReleaseHeld(std::chrono::steady_clock::time_point before);
  // One canary round over `urls`: how many answered.
  int RunRound(const std::vector<std::string>& urls);

  const VantageMonitorOptions options_;
  Release release_;
  OnChange on_change_;
  logging::Logger& log_;
  VantageStats stats_;
  std::atomic<bool> impaired_{false};

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  VantageJudge judge_;                             // guarded by mutex_
  std::vector<Held> held_;                         // guarded by mutex_
  std::string reason_;                             // guarded by mutex_
  bool stopping_ = false;                          // guarded by mutex_
  std::vector<probe::ProbeResult> round_results_;  // guarded by mutex_
  size_t round_expected_ = 0;                      // guarded by mutex_

  std::unique_ptr<probe::CurlMultiProber> prober_;
  std::thread thread_;  // last: runs Loop over the members above
};

}  // namespace lokahi::healthworker
