#include "lokahid/list_counts_keeper.h"

#include <pqxx/pqxx>

#include "lokahid/maintenance.h"

namespace lokahi::lokahid {

ListCountsKeeper::ListCountsKeeper(postgres::ConnectionPool& pool, std::function<bool()> active,
                                   ListCountsOptions options, logging::Logger& log)
    : pool_(pool),
      active_(std::move(active)),
      options_(options),
      log_(log),
      task_(options_.compact_every, [this] { Round(); }) {}

void ListCountsKeeper::Round() {
  if (!active_()) return;
  const auto now = std::chrono::steady_clock::now();
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
