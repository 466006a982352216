#pragma once
#include "lib/postgres/connection_pool.h"
#include "lib/store/result_writer.h"

namespace lokahi::store {

// Per batch: COPY into results; lock the batch's check_states rows in id order (so concurrent
// writers cannot deadlock and each decision is a compare-and-set on the committed state); apply
// checks::Evaluate in slot order; one UPDATE and one INSERT for the outcome.
class PgResultWriter final : public ResultWriter {
 public:
  explicit PgResultWriter(postgres::ConnectionPool& pool) : pool_(pool) {}
  WriteOutcome Write(const std::vector<ProbeRecord>& batch, int64_t skipped_slots) override;

 private:
  postgres::ConnectionPool& pool_;
};

// "2026-11-22 00:47:52.123456+00": the text form COPY accepts for timestamptz.
std::string FormatTimestampMicros(int64_t unix_us);

}  // namespace lokahi::store
