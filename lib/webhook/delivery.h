#pragma once
// The webhook outbox in domain terms: a transition claimed for one delivery attempt, and what
// became of that attempt.

#include <chrono>
#include <cstdint>
#include <string>

#include "lib/checks/check.h"

namespace lokahi::webhook {

struct Transition {
  int64_t id = 0;
  std::string check_id;
  checks::State from_state = checks::State::kInit;
  checks::State to_state = checks::State::kInit;
  int status_code = 0;  // of the probe that caused the transition; 0 = no HTTP answer
  int64_t latency_ns = 0;
  std::string error;  // the probe's error, empty when the target answered
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

enum class OutcomeKind { kDelivered, kRetry, kFailed };

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
};

// The Standard Webhooks idempotency key of a transition: the same on every attempt.
std::string WebhookId(int64_t transition_id);

}  // namespace lokahi::webhook
