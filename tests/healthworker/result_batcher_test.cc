// The result batcher between many probe threads and one writer: every record added is written
// exactly once, in batches, even when a write fails and is retried. Runs under ThreadSanitizer
// in scripts/test-sanitizers.

#include "healthworker/result_batcher.h"

#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace lokahi::healthworker {
namespace {

using namespace std::chrono_literals;

// Keeps what it is given; the first write fails as a lost database connection would.
class RecordingWriter final : public store::ResultWriter {
 public:
  store::WriteOutcome Write(const std::vector<store::ProbeRecord>& batch,
                            int64_t skipped_slots) override {
    std::lock_guard lock(mutex_);
    if (!failed_once_) {
      failed_once_ = true;
      throw std::runtime_error("connection lost");
    }
    for (const auto& record : batch) {
      rows_.push_back(record.check_id + "@" + std::to_string(record.slot_ms));
    }
    skipped_ += skipped_slots;
    store::WriteOutcome outcome;
    outcome.results_written = batch.size();
    return outcome;
  }

  std::vector<std::string> rows() const {
    std::lock_guard lock(mutex_);
    return rows_;
  }
  int64_t skipped() const {
    std::lock_guard lock(mutex_);
    return skipped_;
  }

 private:
  mutable std::mutex mutex_;
  bool failed_once_ = false;
  std::vector<std::string> rows_;
  int64_t skipped_ = 0;
};

TEST(ResultBatcherTest, RecordsFromManyThreadsAreWrittenOnceDespiteAFailedWrite) {
  constexpr int kThreads = 4, kBatches = 50, kPerBatch = 20;
  RecordingWriter writer;
  std::ostringstream log_text;
  logging::Logger log("result_batcher_test", log_text);
  BatcherOptions options;
  options.max_rows = 64;
  options.max_delay = 5ms;
  ResultBatcher batcher(
      writer, options, [](const auto&) {}, log);

  std::vector<std::thread> probers;
  for (int t = 0; t < kThreads; ++t) {
    probers.emplace_back([&batcher, t] {
      for (int b = 0; b < kBatches; ++b) {
        std::vector<store::ProbeRecord> records(kPerBatch);
        for (int i = 0; i < kPerBatch; ++i) {
          records[i].check_id = "check-" + std::to_string(t) + "-" + std::to_string(i);
          records[i].slot_ms = b;
        }
        batcher.Add(std::move(records));
        batcher.CountSkipped(1);
        batcher.Buffered();
      }
    });
  }
  for (auto& prober : probers) prober.join();
  batcher.Stop(10s);

  const auto rows = writer.rows();
  const std::set<std::string> distinct(rows.begin(), rows.end());
  EXPECT_EQ(rows.size(), size_t{kThreads * kBatches * kPerBatch});
  EXPECT_EQ(distinct.size(), rows.size()) << "a record was written twice";
  EXPECT_EQ(writer.skipped(), kThreads * kBatches) << "skipped slots are counted once each";
  EXPECT_EQ(batcher.stats().written.load(), kThreads * kBatches * kPerBatch);
  EXPECT_EQ(batcher.stats().write_failures.load(), 1);
  EXPECT_EQ(batcher.stats().dropped.load(), 0);
  EXPECT_EQ(batcher.Buffered(), 0u);
}

}  // namespace
}  // namespace lokahi::healthworker
