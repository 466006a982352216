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
};

}  // namespace lokahi::store
