#pragma once
// The scheduler: active in exactly one lokahid at a time. It holds a Postgres advisory lock on
// its own connection; when that connection dies the lock goes with it and another replica takes
// over within `lease_retry` (+ TCP detection). The active scheduler keeps every check in a
// SlotQueue, learns of API changes by polling versions, and publishes due checks on check.run in
// batches.
//
// A slot is dispatched at most once: how far dispatch has got (dispatched_until) is committed
// before the batch is published, and a new holder starts after it. Slots that fall into a gap
// longer than `catch_up` (no scheduler for a while) are skipped and counted, not replayed.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "lib/logging/logger.h"
#include "lib/metrics/series.h"
#include "lokahid/check_catalog.h"
#include "lokahid/first_probe_pacer.h"
#include "lokahid/slot_queue.h"

#include <pqxx/connection>

namespace lokahi::lokahid {

struct SchedulerOptions {
  std::string database_url;
  std::string holder_name;
  std::chrono::milliseconds tick{100};
  std::chrono::milliseconds poll_changes{500};
  std::chrono::milliseconds lease_retry{1000};
  std::chrono::milliseconds catch_up{5000};
  size_t max_batch = 1000;
  int result_retention_days = 7;
  std::chrono::minutes maintenance_every{60};
  // New checks' first probes are paced at this rate: one created check is probed at once, a
  // bulk load of a million is probed over 100 s instead of in one burst no worker could take.
  int first_probes_per_second = 10000;
  metrics::Histogram* dispatch_lag_seconds = nullptr;  // optional: dispatch time - due time
};

struct SchedulerStats {
  std::atomic<bool> active{false};
  std::atomic<long long> dispatched{0};
  std::atomic<long long> skipped{0};
  std::atomic<long long> batches{0};
  std::atomic<long long> checks{0};
  std::atomic<long long> tick_lag_ms{0};
};

class Scheduler {
 public:
  using Publish = std::function<void(const std::string& payload)>;  // to check.run
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  Scheduler(SchedulerOptions options, Publish publish, Clock clock, logging::Logger& log);
  ~Scheduler();
  void Start();
  // Stops dispatching and releases the lock (another replica takes over at once).
  void Stop();
  const SchedulerStats& stats() const { return stats_; }

 private:
  void Loop();
  bool TryBecomeActive();
  void RunActive();
  void Resign();
  void ApplyChanges(int64_t now_ms);
  void Dispatch(int64_t now_ms);

  const SchedulerOptions options_;
  Publish publish_;
  Clock clock_;
  logging::Logger& log_;
  SchedulerStats stats_;
  PgCheckCatalog catalog_;
  SlotQueue queue_;
  FirstProbePacer first_probes_;
  std::unique_ptr<pqxx::connection> connection_;
  int64_t poll_from_version_ = 0;
  int64_t pending_skipped_ = 0;  // counted at takeover, recorded with the next dispatch
  // (time, newest version) pairs: polls start from the newest version seen a few seconds ago.
  std::vector<std::pair<int64_t, int64_t>> version_history_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace lokahi::lokahid
