#pragma once
// Collects probe records from any thread and writes them in batches on one writer thread, so the
// hot path never makes a round trip per probe. A write that fails for a passing reason (lost
// connection) is retried with the same records; a chunk whose data Postgres refuses is split
// until only the refused rows remain, and those are dropped and counted, so one bad row never
// holds back the others. Memory stays bounded (beyond `max_buffered` the oldest records are
// dropped and counted).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "lib/logging/logger.h"
#include "lib/metrics/series.h"
#include "lib/store/result_writer.h"

namespace lokahi::healthworker {

struct BatcherOptions {
  size_t max_rows = 5000;
  std::chrono::milliseconds max_delay{200};
  size_t max_buffered = 500000;
  metrics::Histogram* batch_rows = nullptr;     // optional: rows per committed batch
  metrics::Histogram* write_seconds = nullptr;  // optional: time per batch transaction
  // Optional: called on the writer thread with the transitions each commit held for confirmation.
  std::function<void(std::vector<store::ConfirmationRequest>&&)> on_confirmations;
  std::function<std::chrono::steady_clock::time_point()> clock = [] {
    return std::chrono::steady_clock::now();
  };
};

struct BatcherStats {
  std::atomic<long long> written{0};
  std::atomic<long long> batches{0};
  std::atomic<long long> write_failures{0};
  std::atomic<long long> dropped{0};
  std::atomic<long long> rejected{0};  // rows Postgres refused, dropped
  std::atomic<long long> transitions{0};
  std::atomic<long long> last_batch_rows{0};
};

class ResultBatcher {
 public:
  // Called on the writer thread after each commit that recorded transitions.
  using TransitionsHandler = std::function<void(const std::vector<store::TransitionRecord>&)>;

  ResultBatcher(store::ResultWriter& writer, BatcherOptions options, TransitionsHandler on_commit,
                logging::Logger& log);
  ~ResultBatcher();
  ResultBatcher(const ResultBatcher&) = delete;
  ResultBatcher& operator=(const ResultBatcher&) = delete;

  void Add(std::vector<store::ProbeRecord> records);
  void CountSkipped(long long slots);
  // Writes everything buffered (retrying for up to `deadline`) and stops the writer thread.
  void Stop(std::chrono::milliseconds deadline = std::chrono::seconds(30));
  const BatcherStats& stats() const { return stats_; }
  size_t Buffered() const;
  // How long the oldest result not yet written has waited (zero when none waits).
  std::chrono::milliseconds BacklogAge() const;

 private:
  struct Entry {
    store::ProbeRecord record;
    std::chrono::steady_clock::time_point added;
  };
  enum class WriteResult { kWritten, kFailed, kRejected };
  void Loop();
  // Writes `chunk`, splitting it when Postgres refuses its data. False when a passing failure
  // left rows unwritten (they are back in the buffer, in order).
  bool WriteSplitting(std::vector<Entry>& chunk, long long& skipped);
  WriteResult WriteChunk(const std::vector<store::ProbeRecord>& chunk, long long skipped);

  store::ResultWriter& writer_;
  const BatcherOptions options_;
  TransitionsHandler on_commit_;
  logging::Logger& log_;
  BatcherStats stats_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Entry> buffer_;  // guarded by mutex_
  // When the oldest row of the chunk being written was added; nullopt between writes.
  std::optional<std::chrono::steady_clock::time_point> writing_since_;  // guarded by mutex_
  long long skipped_ = 0;                                               // guarded by mutex_
  bool stopping_ = false;                                               // guarded by mutex_
  std::chrono::steady_clock::time_point stop_deadline_;                 // guarded by mutex_
  std::thread thread_;
};

}  // namespace lokahi::healthworker
