#include "lokahid/list_counts_keeper.h"

#include <pqxx/pqxx>

#include "lokahid/maintenance.h"

namespace lokahi::lokahid {

ListCountsKeeper::ListCountsKeeper(postgres::ConnectionPool& pool, std::function<bool()> active,
                                   ListCountsOptions options, logging::Logger& log)
    : pool_(pool), active_(std::move(active)), options_(options), log_(log) {
  thread_ = std::thread([this] { Loop(); });
}

ListCountsKeeper::~ListCountsKeeper() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void ListCountsKeeper::Loop() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, options_.compact_every, [this] { return stopping_; })) {
    lock.unlock();
    if (active_()) Round(std::chrono::steady_clock::now());
    lock.lock();
  }
}

void ListCountsKeeper::Round(std::chrono::steady_clock::time_point now) {
  try {
    auto connection = pool_.Acquire();
    if (now >= next_rebuild_) {
      if (RebuildCheckList(*connection)) {
        next_rebuild_ = now + options_.rebuild_every;
        return;
      }
      log_.Info("list_rebuild_postponed");
    }
    if (!CompactCheckList(*connection)) log_.Info("list_compaction_postponed");
  } catch (const std::exception& e) {
    log_.Warn("list_counts_failed", {{"error", e.what()}});
  }
}

}  // namespace lokahi::lokahid
