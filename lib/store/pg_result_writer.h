#pragma once
#include "lib/postgres/connection_pool.h"
#include "lib/store/result_writer.h"

namespace lokahi::store {

// Per batch, one transaction: COPY into results; read the batch's check_states; apply
// checks::Evaluate in slot order; one UPDATE that is a compare-and-set on the state as read (rows
// another writer moved meanwhile are re-read and decided again); one INSERT of the transitions.
class PgResultWriter final : public ResultWriter {
 public:
  explicit PgResultWriter(postgres::ConnectionPool& pool) : pool_(pool) {}
  WriteOutcome Write(const std::vector<ProbeRecord>& batch, int64_t skipped_slots) override;
  WriteOutcome ApplyConfirmations(const std::vector<ConfirmationResult>& results) override;

 private:
  WriteOutcome WriteTransaction(const std::vector<ProbeRecord>& batch, int64_t skipped_slots);
  postgres::ConnectionPool& pool_;
};

// "2026-11-22 00:47:52.123456+00": the text form COPY accepts for timestamptz.
std::string FormatTimestampMicros(int64_t unix_us);

}  // namespace lokahi::store
