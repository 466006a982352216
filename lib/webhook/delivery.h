#pragma once
// The webhook outbox in domain terms: a transition claimed for one delivery attempt, and what
// became of that attempt.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "lib/checks/check.h"

namespace lokahi::webhook {

// Timings of the probe that caused a transition, from its recorded result.
struct ProbeTimings {
  checks::Timestamp probed_at{};
  int64_t dns_ns = 0;
  int64_t connect_ns = 0;
  int64_t tls_ns = 0;
  int64_t first_byte_ns = 0;
  std::optional<checks::Timestamp> cert_expires_at;
};

struct Transition {
  int64_t id = 0;
  std::string check_id;
  checks::State from_state = checks::State::kInit;
  checks::State to_state = checks::State::kInit;
  int status_code = 0;  // of the probe that caused the transition; 0 = no HTTP answer
  int64_t latency_ns = 0;
  std::string error;       // the probe's error, empty when the target answered
  checks::Timestamp at{};  // when the state changed (the probe's time)
  // The probe's recorded result; absent once results past retention are gone.
  std::optional<ProbeTimings> probe;
};

// Identifies one claim. `attempt` is the transition's attempts counter after the claim raised it:
// an outcome or release applies only while the row still holds that number, so a worker whose
// lease expired and was re-claimed by another cannot overwrite the newer attempt.
struct ClaimRef {
  int64_t transition_id = 0;
  int attempt = 0;
};

struct ClaimedDelivery {
  ClaimRef ref;
  Transition transition;
  checks::Check check;  // as stored now; state = transition.to_state
  // Time left before the delivery deadline, measured by the database when claimed; <= 0 means
  // the deadline passed before this attempt.
  std::chrono::milliseconds until_deadline{0};
};

// kFailed is final: the delivery was given up for good and its receiver never gets it.
enum class OutcomeKind { kDelivered, kRetry, kFailed };

// Why a delivery was given up (kFailed).
enum class GiveUpReason {
  kDeadline,  // no attempt succeeded before the delivery deadline
  kGone,      // the receiver answered 410 Gone: Standard Webhooks' "endpoint removed"
};
// "deadline" or "gone": the metric label and the reason operators see.
const char* GiveUpReasonName(GiveUpReason reason);

struct DeliveryOutcome {
  ClaimRef ref;
  OutcomeKind kind = OutcomeKind::kRetry;
  std::chrono::milliseconds retry_in{0};  // for kRetry
  int status_code = 0;                    // the receiver's answer; 0 = none
  std::string error;                      // why it was not delivered; empty when delivered
  int64_t response_time_ns = 0;           // for kDelivered
  // False when nothing was sent (the deadline had passed before this attempt): the last real
  // attempt's status and error are kept for the record.
  bool attempted = true;
  GiveUpReason gave_up = GiveUpReason::kDeadline;  // for kFailed
  std::string check_id;
  // The receiver's URL without anything secret (RedactUrl), for the operator's notice (kFailed).
  std::string receiver;
  // For kDelivered: the receiver answered, so its other deliveries waiting in backoff are made due
  // now (set at most once a second per receiver, to bound the cost).
  bool release_waiting = false;
};

// A delivery given up for good, claimed for one attempt to tell the operator
// (LOKAHI_OPS_WEBHOOK_URL). `ref.transition_id` names the transition given up.
struct AbandonedDelivery {
  ClaimRef ref;
  std::string check_id;
  std::string receiver;  // redacted
  GiveUpReason reason = GiveUpReason::kDeadline;
  std::string error;  // the delivery's last error
  checks::State from_state = checks::State::kInit;
  checks::State to_state = checks::State::kInit;
  std::chrono::system_clock::time_point abandoned_at;
  std::chrono::milliseconds until_deadline{0};  // for this notice's own retries
};

// The Standard Webhooks idempotency key of a transition: the same on every attempt.
std::string WebhookId(int64_t transition_id);

}  // namespace lokahi::webhook
