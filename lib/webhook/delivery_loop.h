#pragma once
// The webhookworker's engine: claims due transitions from the outbox in batches, POSTs their
// CheckStatus bodies concurrently, and records outcomes in batches.
//
// One thread runs Run(); Nudge and RequestStop may be called from any thread. Postgres is the
// truth: a nudge only makes the next claim happen now instead of at the next sweep, so a lost
// nudge delays a webhook by at most one sweep interval.

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lib/logging/logger.h"
#include "lib/store/pg_status_query.h"
#include "lib/webhook/curl_multi_poster.h"
#include "lib/webhook/delivery.h"
#include "lib/webhook/pg_outbox.h"
#include "lib/webhook/retry_policy.h"
#include "lib/webhook/signature.h"

namespace lokahi::webhook {

// What the loop did, for metrics. Called on the loop thread; must not block. The default
// methods ignore everything, so a worker without metrics passes a plain DeliveryObserver.
class DeliveryObserver {
 public:
  virtual ~DeliveryObserver() = default;
  virtual void OnClaimed(size_t /*count*/) {}
  virtual void OnOutcome(const DeliveryOutcome& /*outcome*/) {}
  virtual void OnInFlight(size_t /*transfers*/) {}
};

struct DeliveryLoopOptions {
  int concurrency = 256;  // transfers in flight at most
  std::chrono::milliseconds request_timeout{10000};
  std::chrono::milliseconds sweep_interval{1000};
  // A claim's lease is request_timeout + lease_margin: long enough to send and record.
  std::chrono::milliseconds lease_margin{5000};
  // On stop, how long in-flight deliveries may still finish before they are handed back.
  std::chrono::milliseconds drain_timeout{10000};
  // Outcomes are written together once the oldest has waited this long.
  std::chrono::milliseconds outcome_flush_interval{20};
  std::chrono::seconds histogram_window{86400};
  RetryPolicy retry;
  std::optional<SigningKey> default_key;  // used for checks without a secret of their own
};

struct DeliveryClocks {
  std::function<std::chrono::system_clock::time_point()> wall = [] {
    return std::chrono::system_clock::now();
  };
  std::function<std::chrono::steady_clock::time_point()> steady = [] {
    return std::chrono::steady_clock::now();
  };
};

class DeliveryLoop final {
 public:
  // Every reference must outlive the loop.
  DeliveryLoop(PgOutbox& outbox, store::PgStatusQuery& status_query, CurlMultiPoster& poster,
               RandomSource& random, logging::Logger& log, DeliveryObserver& observer,
               DeliveryLoopOptions options, DeliveryClocks clocks = {});

  // Delivers until RequestStop, then lets in-flight deliveries finish (up to drain_timeout),
  // hands back the rest, writes every outcome, and returns.
  void Run();
  void Nudge();
  void RequestStop();

 private:
  struct InFlight {
    ClaimRef ref;
    std::string check_id;
    std::string webhook_url;
    std::string redacted_url;
    std::chrono::steady_clock::time_point claimed_at;
    std::chrono::milliseconds until_deadline_at_claim;
  };

  // Returns true when the claim was full, so more may be due.
  bool ClaimAndStart(int limit);
  void StartOne(const ClaimedDelivery& claim, const store::LatencyHistogram& histogram,
                const store::UptimeRatios& uptime);
  void GiveUp(const InFlight& flight, DeliveryOutcome outcome, GiveUpReason reason);
  // Whether a 2xx from this receiver should make its waiting deliveries due (at most once a second
  // per receiver: each release scans the deliveries in backoff).
  bool ReleaseDue(const std::string& webhook_url);
  void OnResponse(int64_t transition_id, PostResponse&& response);
  void AddFailedAttempt(const InFlight& flight, int status_code, std::string error,
                        std::optional<std::chrono::milliseconds> retry_after);
  void AddOutcome(DeliveryOutcome outcome);
  // Returns true when a final outcome was written (the check's next transition is now free).
  bool FlushOutcomes();
  void Drain();
  void LogSummaryIfDue(bool force);
  int capacity() const;

  PgOutbox& outbox_;
  store::PgStatusQuery& status_query_;
  CurlMultiPoster& poster_;
  RandomSource& random_;
  logging::Logger& log_;
  DeliveryObserver& observer_;
  const DeliveryLoopOptions options_;
  const DeliveryClocks clocks_;

  std::atomic<bool> nudged_{true};
  std::atomic<bool> stop_requested_{false};

  // Loop-thread state.
  std::map<int64_t, InFlight> in_flight_;  // by transition id
  std::vector<DeliveryOutcome> pending_outcomes_;
  std::optional<std::chrono::steady_clock::time_point> flush_due_;
  struct Counts {
    long long delivered = 0, retried = 0, failed = 0, claimed = 0;
  } counts_;
  std::chrono::steady_clock::time_point next_summary_{};
  std::map<std::string, std::chrono::steady_clock::time_point> released_at_;  // by webhook_url
};

}  // namespace lokahi::webhook
