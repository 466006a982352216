#pragma once
// Tells the operator once about each delivery given up for good (LOKAHI_OPS_WEBHOOK_URL). The
// notices come from the abandoned_deliveries outbox, which the statement giving a delivery up
// fills, so a crash loses none: each is POSTed as JSON, signed like every webhook (webhook-id
// "ab_<transition id>", the same on every attempt), and retried with the deliveries' backoff until
// the operator's receiver answers 2xx or the delivery deadline passes.
//
// One thread runs Run(); RequestStop may be called from any thread. Notices are rare, so it sends
// one small batch per sweep on a poster of its own, apart from the delivery loop.

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "lib/logging/logger.h"
#include "lib/webhook/curl_multi_poster.h"
#include "lib/webhook/delivery.h"
#include "lib/webhook/pg_outbox.h"
#include "lib/webhook/retry_policy.h"
#include "lib/webhook/signature.h"

namespace lokahi::webhook {

struct AbandonedNotifierOptions {
  std::string url;  // the operator's webhook
  std::chrono::milliseconds request_timeout{10000};
  std::chrono::milliseconds sweep_interval{1000};
  std::chrono::milliseconds lease_margin{5000};
  int batch = 32;  // notices claimed at once
  RetryPolicy retry;
  std::optional<SigningKey> key;
};

// The notice's JSON body: what was given up (check_id, transition_id, webhook_id, the states),
// where it was going (webhook_url, redacted), why (reason "deadline" or "gone", the last error) and
// when.
std::string AbandonedNoticeBody(const AbandonedDelivery& notice);

class AbandonedNotifier final {
 public:
  // Every reference must outlive the notifier.
  AbandonedNotifier(
      PgOutbox& outbox, CurlMultiPoster& poster, RandomSource& random, logging::Logger& log,
      AbandonedNotifierOptions options,
      std::function<std::chrono::system_clock::time_point()> wall = [] {
        return std::chrono::system_clock::now();
      });

  // Sends due notices until RequestStop; a failed database call is logged and tried again at the
  // next sweep.
  void Run();
  void RequestStop();

  // One round: claims due notices, sends them, waits for their answers (bounded by the request
  // timeout) and records the outcomes. Returns how many were claimed.
  int SendDue();

 private:
  PgOutbox& outbox_;
  CurlMultiPoster& poster_;
  RandomSource& random_;
  logging::Logger& log_;
  const AbandonedNotifierOptions options_;
  const std::function<std::chrono::system_clock::time_point()> wall_;
  std::atomic<bool> stop_requested_{false};
};

}  // namespace lokahi::webhook
