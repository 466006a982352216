#pragma once
// Records probe results and advances each check's state machine, in batches.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "lib/checks/check.h"
#include "lib/checks/state_machine.h"

namespace lokahi::store {

struct ProbeRecord {
  std::string check_id;
  int64_t slot_ms = 0;  // the scheduled slot (due time) this probe belongs to
  int64_t probed_unix_us = 0;
  int status_code = 0;  // 0 = no HTTP answer
  int64_t latency_ns = 0, dns_ns = 0, connect_ns = 0, tls_ns = 0, first_byte_ns = 0;
  std::string error;
  std::optional<int64_t> cert_expires_unix;
  checks::Verdict verdict = checks::Verdict::kError;
  // On-demand probes (Run) are recorded but do not move the state machine: state follows the
  // schedule only, so a manual run can neither hide nor invent an outage between slots.
  bool applies_to_state = true;
  // A failure's probe, so another worker can confirm it (set on failing scheduled results only).
  std::string url;
  int timeout_ms = 0;
  int expected_status = 0;
  // And how it asks: a serialized internal CheckSpec with its request fields (20-39) only;
  // empty for a plain GET.
  std::string request_spec;
};

// A failure that would take a check out of UP, held until another worker re-probes the target:
// the state stays UP (the failure is counted) until ApplyConfirmations decides.
struct ConfirmationRequest {
  ProbeRecord record;
  checks::State to = checks::State::kError;
};

enum class ConfirmationVerdict {
  kConfirmed,   // the other worker's probe failed too: the transition commits
  kVetoed,      // it succeeded: no transition, the disagreement is counted
  kUnanswered,  // no other worker answered within one probe timeout: commits, marked unconfirmed
};

struct ConfirmationResult {
  ConfirmationRequest request;
  ConfirmationVerdict verdict = ConfirmationVerdict::kUnanswered;
};

struct TransitionRecord {
  int64_t id = 0;
  std::string check_id;
  checks::State from = checks::State::kInit;
  checks::State to = checks::State::kInit;
  int64_t slot_ms = 0;
};

struct WriteOutcome {
  std::vector<TransitionRecord> transitions;
  size_t results_written = 0;
  size_t stale_or_duplicate = 0;  // results older than the check's newest applied slot
  // Transitions out of UP held for confirmation by another worker (checks with `confirm`).
  std::vector<ConfirmationRequest> confirmations;
};

// Postgres refused the batch's data itself (SQLSTATE class 22 data exception or 23 integrity
// violation): writing the same rows again cannot succeed, unlike a lost connection.
class RowsRejected : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ResultWriter {
 public:
  virtual ~ResultWriter() = default;
  // One transaction: every result is stored, states advance, transitions are recorded. Throws
  // on database failure, in which case nothing of the batch was written: RowsRejected when the
  // data was refused, another std::exception when the failure may pass (connection, timeout).
  virtual WriteOutcome Write(const std::vector<ProbeRecord>& batch, int64_t skipped_slots) = 0;
  // Decides held transitions: a confirmed or unanswered one commits (compare-and-set: only while
  // the check is still UP with its failures counted, so a success meanwhile cancels it), a vetoed
  // one resets the failure count and counts a disagreement. Returns the transitions recorded.
  virtual WriteOutcome ApplyConfirmations(const std::vector<ConfirmationResult>& results) {
    (void)results;
    return {};
  }
};

}  // namespace lokahi::store
