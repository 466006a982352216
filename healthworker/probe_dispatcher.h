#pragma once
// Between NATS and the prober: turns RunBatch and RunNowRequest messages into probes, skips slots
// that are already stale (counted, never queued without bound), and turns finished probes into
// store records for the batcher (and replies for on-demand runs).
//
// Thread-safety: OnRunBatch/OnRunNow may be called from NATS delivery threads; completions arrive
// on the prober's thread.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "healthworker/result_batcher.h"
#include "internal.pb.h"
#include "lib/logging/logger.h"
#include "lib/metrics/series.h"
#include "lib/probe/curl_multi_prober.h"

namespace lokahi::healthworker {
class VantageMonitor;
}

namespace lokahi::healthworker {

struct DispatcherOptions {
  probe::ProberOptions prober;
  // A slot is stale, and skipped (counted) rather than probed, once it would start later than
  // StaleAfter(every, stale_floor, max_start_lag) after it was due.
  std::chrono::milliseconds stale_floor{10000};
  std::chrono::milliseconds max_start_lag{10000};  // LOKAHI_MAX_START_LAG_MS
  size_t max_queued = 100000;  // probes that may wait for a slot; slots beyond it are skipped
  // Optional; observed on the hot path when set.
  metrics::Histogram* probe_latency_seconds = nullptr;  // probes that got an HTTP answer
  metrics::Histogram* schedule_lag_seconds = nullptr;   // probe start - slot due time
  // Optional, must outlive the dispatcher: screens finished probes (path failures wait for its
  // verdict), and while it says the vantage is impaired, batches are handed back on check.run
  // for other workers instead of probed.
  VantageMonitor* vantage = nullptr;
};

// How late a slot may start: until its next slot (every), but at least `floor` so short
// intervals ride out a hiccup, and never more than `max_start_lag`: a probe of an hourly check
// started 50 minutes late tells nobody anything in time. Pure.
std::chrono::milliseconds StaleAfter(int every_seconds, std::chrono::milliseconds floor,
                                     std::chrono::milliseconds max_start_lag);

struct DispatcherStats {
  std::atomic<long long> probes_up{0}, probes_down{0}, probes_error{0};
  std::atomic<long long> skipped_stale{0}, skipped_overload{0}, batches_received{0};
  std::atomic<long long> lag_ms_sum{0}, lag_samples{0};
  // Specs refused where decoded (bad id, url, timeout…), and undecodable messages.
  std::atomic<long long> invalid_specs{0}, invalid_messages{0};
  // Slots received while the vantage was impaired and published again for other workers.
  std::atomic<long long> handed_back{0};
};

class ProbeDispatcher {
 public:
  // `reply(subject, payload)` answers on-demand runs.
  using Reply = std::function<void(const std::string& subject, const std::string& payload)>;
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  ProbeDispatcher(DispatcherOptions options, ResultBatcher& batcher, Reply reply, Clock clock,
                  logging::Logger& log);
  ~ProbeDispatcher();

  void OnRunBatch(const std::string& payload);
  void OnRunNow(const std::string& payload, const std::string& reply_subject);
  // Probes `spec` (already validated) for another worker's confirmation and answers a
  // ProbeOutcome on `reply_subject`; nothing is recorded.
  void ProbeForConfirmation(const lokahi::internal::CheckSpec& spec,
                            const std::string& reply_subject);
  // Finishes in-flight probes within `grace`; probes cut off by the stop are not recorded (a
  // probe we abandoned says nothing about the target).
  void Stop(std::chrono::milliseconds grace);

  const DispatcherStats& stats() const { return stats_; }
  size_t InFlight() const;
  size_t Queued() const;

 private:
  struct Pending {
    std::string check_id;
    int64_t slot_ms = 0;
    int expected_status = 0;
    std::string reply_subject;  // set for on-demand runs and confirmations
    std::string url;
    int timeout_ms = 0;
    bool record = true;  // false for confirmations: they only answer, never count
    // The spec's request fields (20-39) serialized, for a confirmation; empty for a plain GET.
    std::string request_spec;
  };
  void ProbeNow(const lokahi::internal::CheckSpec& spec, const std::string& reply_subject,
                bool record);
  void OnComplete(std::vector<probe::ProbeResult>&& results);
  // While the vantage is impaired: publishes the batch again on check.run once (a worker that
  // has left the queue group no longer receives it), so the slots reach a healthy worker.
  void HandBack(lokahi::internal::RunBatch& batch);
  // Counts a refused message or spec; logs at warn the first time and then at most once a
  // minute, so whoever can publish on NATS cannot flood the log.
  void Refused(std::atomic<long long>& counter, long long count, const std::string& subject,
               const std::string& problem);

  const DispatcherOptions options_;
  ResultBatcher& batcher_;
  Reply reply_;
  Clock clock_;
  logging::Logger& log_;
  DispatcherStats stats_;
  std::atomic<uint64_t> next_tag_{1};
  std::atomic<uint64_t> next_rotation_{0};  // where admission starts in the next batch
  std::atomic<int64_t> next_refusal_log_ms_{0};
  std::atomic<long long> refusals_unlogged_{0};
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::unordered_map<uint64_t, Pending> pending_;   // guarded by mutex_
  std::unique_ptr<probe::CurlMultiProber> prober_;  // last: its thread calls into the members above
};

}  // namespace lokahi::healthworker
