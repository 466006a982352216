#pragma once
// An in-memory ResultWriter for healthworker tests: records what it is given, refuses (as Postgres
// refuses data) every batch holding a check id in `refused`, and fails like a lost connection
// while SetFailing(true).

#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "lib/store/result_writer.h"

namespace lokahi::healthworker {

class FakeResultWriter final : public store::ResultWriter {
 public:
  explicit FakeResultWriter(std::set<std::string> refused = {}) : refused_(std::move(refused)) {}

  store::WriteOutcome Write(const std::vector<store::ProbeRecord>& batch,
                            int64_t skipped) override {
    std::lock_guard lock(mutex_);
    ++calls_;
    if (failing_) throw std::runtime_error("connection lost");
    for (const auto& r : batch) {
      if (refused_.count(r.check_id)) {
        throw store::RowsRejected("SQLSTATE 22P02: invalid input syntax for type uuid");
      }
    }
    written_.insert(written_.end(), batch.begin(), batch.end());
    skipped_ += skipped;
    store::WriteOutcome outcome;
    outcome.results_written = batch.size();
    return outcome;
  }
  std::vector<store::ProbeRecord> Written() {
    std::lock_guard lock(mutex_);
    return written_;
  }
  std::vector<std::string> WrittenIds() {
    std::vector<std::string> ids;
    for (const auto& r : Written()) ids.push_back(r.check_id);
    return ids;
  }
  int Calls() {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  long long Skipped() {
    std::lock_guard lock(mutex_);
    return skipped_;
  }
  void SetFailing(bool failing) {
    std::lock_guard lock(mutex_);
    failing_ = failing;
  }

 private:
  std::mutex mutex_;
  std::set<std::string> refused_;
  std::vector<store::ProbeRecord> written_;
  int calls_ = 0;
  long long skipped_ = 0;
  bool failing_ = false;
};

}  // namespace lokahi::healthworker
