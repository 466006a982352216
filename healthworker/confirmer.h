#pragma once
// Confirmation from a second worker (issue 19): a failure that would take a check out of UP is
// re-probed at once by another healthworker before the transition commits.
//
// Asking: each held transition (store::WriteOutcome::confirmations) is published as an
// internal.ConfirmRequest on check.confirm (queue group "healthworker") with a reply subject of
// this worker's own inbox. The answer decides: the other worker's probe failed too (confirmed:
// the transition commits), it succeeded (vetoed: no transition, a disagreement counted), or no
// answer came in time (unanswered: the transition commits, marked unconfirmed). In time means
// within the check's probe timeout plus `margin` of the request, or of the other worker's
// acceptance when it sent one (see ConfirmationWaits): on a loaded machine the request may take a
// while to reach a worker, and its probe still gets its whole timeout. So confirmation adds one
// probe timeout (and the margin) to the time to alert, and a one-worker stack still alerts.
//
// Answering: a request from this worker itself, or arriving while this worker's own path is
// impaired, is passed on to the queue group again (at most `max_bounces` times, then answered
// "not probed"); any other is accepted at once (an "accepted" ProbeOutcome), then probed and
// answered, and never recorded. A "not probed" answer ends the wait at once (unanswered) only
// when no other worker saw the request (a one-worker stack); when others did but their paths
// were impaired (which can pass within seconds, e.g. canaries slow on a loaded machine), the
// asker asks again every `ask_again_after` while its wait lasts.
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

#include "healthworker/confirmation_waits.h"
#include "healthworker/probe_dispatcher.h"
#include "healthworker/vantage_monitor.h"
#include "lib/logging/logger.h"
#include "lib/nats/nats_client.h"
#include "lib/store/result_writer.h"

namespace lokahi::healthworker {

struct ConfirmerOptions {
  std::string instance;  // LOKAHI_INSTANCE: requests from it are passed on, never answered
  std::chrono::milliseconds margin{1000};  // beyond the probe timeout, for NATS and queueing
  // With two workers, a request lands on its asker at each bounce with probability 1/2: 16 bounces
  // make "no other worker found" wrong once in 65,536 requests.
  int max_bounces = 16;
  std::chrono::milliseconds ask_again_after{200};
};

struct ConfirmerStats {
  std::atomic<long long> requested{0}, confirmed{0}, vetoed{0}, unanswered{0}, answered{0};
  std::atomic<long long> accepted{0};     // requests another worker took (before its answer)
  std::atomic<long long> asked_again{0};  // re-sent after every other worker was impaired
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
  void Publish(uint64_t seq, const store::ProbeRecord& failure);
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
  ConfirmationWaits waits_;                          // guarded by mutex_
  std::vector<store::ConfirmationResult> resolved_;  // guarded by mutex_
  bool stopping_ = false;                            // guarded by mutex_

  std::thread thread_;
  std::unique_ptr<nats::Subscription> answers_, requests_;  // last: their handlers use the above
};

}  // namespace lokahi::healthworker
