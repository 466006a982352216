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
//
// Every slot is probed or counted as skipped: slots due while NATS is disconnected (never
// buffered for a late replay), slots of batches that reached no healthworker, of batches that
// failed to publish, and of checks whose spec alone exceeds the server's max payload.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <pqxx/connection>
#include <string>
#include <thread>
#include <unordered_set>
#include <utility>
#include <vector>

#include "lib/logging/logger.h"
#include "lib/metrics/series.h"
#include "lokahid/batch_channel.h"
#include "lokahid/check_catalog.h"
#include "lokahid/first_probe_pacer.h"
#include "lokahid/slot_queue.h"

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
  // Parts of `skipped`: slots due while the channel was disconnected, slots of batches that
  // reached no worker, and slots of checks too large for one message.
  std::atomic<long long> skipped_disconnected{0};
  std::atomic<long long> skipped_unrouted{0};
  std::atomic<long long> skipped_oversized{0};
};

class Scheduler {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  Scheduler(SchedulerOptions options, BatchChannel& channel, Clock clock, logging::Logger& log);
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
  // On stopping: records the skips still to come in (batches that reached no worker).
  void CountLastSkips();
  // Serialized batches of `due`, each within the channel's max payload and max_batch checks.
  // Drops the slots of checks that cannot fit alone, counting them in `oversized`.
  std::vector<std::pair<std::string, int64_t>> BuildBatches(const std::vector<DueCheck>& due,
                                                            int64_t now_ms, int64_t& oversized);

  const SchedulerOptions options_;
  BatchChannel& channel_;
  Clock clock_;
  logging::Logger& log_;
  SchedulerStats stats_;
  PgCheckCatalog catalog_;
  SlotQueue queue_;
  FirstProbePacer first_probes_;
  std::unique_ptr<pqxx::connection> connection_;
  int64_t poll_from_version_ = 0;
  int64_t pending_skipped_ = 0;  // counted at takeover, recorded with the next dispatch
  bool paused_ = false;          // the channel was disconnected at the last dispatch
  std::unordered_set<std::string> oversized_logged_;  // checks whose oversize was logged
  // (time, newest version) pairs: polls start from the newest version seen a few seconds ago.
  std::vector<std::pair<int64_t, int64_t>> version_history_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace lokahi::lokahid
