#pragma once
// Confirmation from a second worker (issue 19): a failure that would take a check out of UP is
// re-probed at once by another healthworker before the transition commits.
//
// Asking: each held transition (store::WriteOutcome::confirmations) is published as an
// internal.ConfirmRequest on check.confirm (queue group "healthworker") with a reply subject of
// this worker's own inbox. The answer decides: the other worker's probe failed too (confirmed:
// the transition commits), it succeeded (vetoed: no transition, a disagreement counted), or no
// answer came within the check's probe timeout plus `margin` (unanswered: the transition commits,
// marked unconfirmed). So confirmation adds at most one probe timeout to the time to alert, and a
// one-worker stack still alerts.
//
// Answering: a request from this worker itself, or arriving while this worker's own path is
// impaired, is passed on to the queue group again (at most `max_bounces` times); any other is
// probed and answered, and never recorded.
//
// Thread-safety: Request may be called from any thread; decisions are written on the
// confirmer's own thread.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "healthworker/probe_dispatcher.h"
#include "healthworker/vantage_monitor.h"
#include "lib/logging/logger.h"
#include "lib/nats/nats_client.h"
#include "lib/store/result_writer.h"

namespace lokahi::healthworker {

struct ConfirmerOptions {
  std::string instance;  // LOKAHI_INSTANCE: requests from it are passed on, never answered
  std::chrono::milliseconds margin{1000};  // beyond the probe timeout, for NATS and queueing
  int max_bounces = 8;
};

struct ConfirmerStats {
  std::atomic<long long> requested{0}, confirmed{0}, vetoed{0}, unanswered{0}, answered{0};
};

class Confirmer {
 public:
  using OnTransitions = std::function<void(const std::vector<store::TransitionRecord>&)>;

  // Every reference must outlive the confirmer; `vantage` may be null.
  Confirmer(nats::Connection& nats, ProbeDispatcher& dispatcher, const VantageMonitor* vantage,
            store::ResultWriter& writer, OnTransitions on_transitions, ConfirmerOptions options,
            logging::Logger& log);
  ~Confirmer();
  Confirmer(const Confirmer&) = delete;
  Confirmer& operator=(const Confirmer&) = delete;

  void Request(std::vector<store::ConfirmationRequest>&& requests);
  // Stops answering and asking; requests still waiting are dropped (the check stays UP with its
  // failures counted, and its next failure asks again).
  void Stop();
  const ConfirmerStats& stats() const { return stats_; }

 private:
  struct Waiting {
    store::ConfirmationRequest request;
    std::chrono::steady_clock::time_point deadline;
  };
  void OnAnswer(nats::Message&& message);
  void OnConfirmRequest(nats::Message&& message);
  void Resolve(uint64_t seq, store::ConfirmationVerdict verdict);
  void Loop();

  nats::Connection& nats_;
  ProbeDispatcher& dispatcher_;
  const VantageMonitor* vantage_;
  store::ResultWriter& writer_;
  OnTransitions on_transitions_;
  const ConfirmerOptions options_;
  logging::Logger& log_;
  ConfirmerStats stats_;
  const std::string inbox_;

  std::mutex mutex_;
  std::condition_variable wake_;
  uint64_t next_seq_ = 1;                             // guarded by mutex_
  std::map<uint64_t, Waiting> waiting_;               // guarded by mutex_
  std::map<std::string, uint64_t> waiting_by_check_;  // guarded by mutex_
  std::vector<store::ConfirmationResult> resolved_;   // guarded by mutex_
  bool stopping_ = false;                             // guarded by mutex_

  std::thread thread_;
  std::unique_ptr<nats::Subscription> answers_, requests_;  // last: their handlers use the above
};

}  // namespace lokahi::healthworker
