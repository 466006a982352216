#pragma once
// The webhookworker's second engine: delivers the generic notifications outbox
// (lib/store/pg_notifications.h: push alerts' notifications and other notices) exactly as the
// DeliveryLoop delivers check webhooks: bodies POSTed as queued, signed with the Standard Webhooks
// headers (webhook-id "nt_<id>", the same on every retry), a 2xx delivers, 410 Gone gives up, any
// other answer is retried with jittered backoff (honouring Retry-After) until the delivery
// deadline; the queue keeps each ordering key's notifications in order.
//
// One thread runs Run(); Nudge and RequestStop may be called from any thread. Postgres is the
// truth: a nudge only makes the next claim happen now instead of at the next sweep.

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "lib/logging/logger.h"
#include "lib/store/pg_notifications.h"
#include "lib/webhook/curl_multi_poster.h"
#include "lib/webhook/delivery.h"
#include "lib/webhook/retry_policy.h"
#include "lib/webhook/signature.h"

namespace lokahi::webhook {

// Told each final or retried outcome (for /metrics); called on the loop's thread. The default
// methods ignore everything.
class NotificationObserver {
 public:
  virtual ~NotificationObserver() = default;
  // `gave_up` is set for kFailed: why the notification was abandoned.
  virtual void OnOutcome(store::NotificationOutcomeKind /*kind*/,
                         std::optional<GiveUpReason> /*gave_up*/) {}
};

struct NotificationLoopOptions {
  int concurrency = 64;  // transfers in flight at most
  std::chrono::milliseconds request_timeout{10000};
  std::chrono::milliseconds sweep_interval{1000};
  std::chrono::milliseconds lease_margin{5000};  // lease = request_timeout + lease_margin
  std::chrono::milliseconds drain_timeout{10000};
  RetryPolicy retry;
  std::optional<SigningKey> key;  // LOKAHI_WEBHOOK_SECRET; unset: unsigned
};

class NotificationLoop final {
 public:
  // Every reference must outlive the loop.
  NotificationLoop(
      store::PgNotificationQueue& queue, CurlMultiPoster& poster, RandomSource& random,
      logging::Logger& log, NotificationObserver& observer, NotificationLoopOptions options,
      std::function<std::chrono::system_clock::time_point()> wall = [] {
        return std::chrono::system_clock::now();
      });

  // Delivers until RequestStop, then lets in-flight deliveries finish (up to drain_timeout),
  // hands back the rest and records every outcome.
  void Run();
  void Nudge();
  void RequestStop();

 private:
  struct InFlight {
    store::ClaimedNotification claim;
    std::chrono::steady_clock::time_point started;
  };
  bool ClaimAndStart(int limit);
  void OnResponse(int64_t id, PostResponse&& response);
  void Retry(const InFlight& flight, int status_code, std::string error,
             std::optional<std::chrono::milliseconds> retry_after);
  // Abandons the notification: its receiver never gets it. Logged at warning level (the
  // receiver's failure, not ours) and counted.
  void Fail(const InFlight& flight, GiveUpReason reason, int status_code, std::string error);
  // Returns true when a final outcome was written (a key's next notification is now free).
  bool Flush();
  void LogSummaryIfDue(bool force);
  int capacity() const { return options_.concurrency - static_cast<int>(in_flight_.size()); }

  store::PgNotificationQueue& queue_;
  CurlMultiPoster& poster_;
  RandomSource& random_;
  logging::Logger& log_;
  NotificationObserver& observer_;
  const NotificationLoopOptions options_;
  const std::function<std::chrono::system_clock::time_point()> wall_;
  std::atomic<bool> nudged_{true};
  std::atomic<bool> stop_requested_{false};

  // Loop-thread state.
  std::map<int64_t, InFlight> in_flight_;  // by notification id
  std::vector<store::NotificationOutcome> outcomes_;
  struct Counts {
    long long delivered = 0, retried = 0, failed = 0;
  } counts_;
  std::chrono::steady_clock::time_point next_summary_{};
};

}  // namespace lokahi::webhook
