#pragma once
// Keeps List's per-block counts (schema migration 104) short to read: folds creates' and
// deletes' deltas in every `compact_every` and renumbers every block from the rows every
// `rebuild_every` (which heals any drift). It runs on its own thread and pooled connection, so
// the scheduler's dispatch never waits behind it, and only while `active` says this replica
// holds the scheduler, so replicas do not take turns doing the same work.

#include <chrono>
#include <functional>

#include "lib/daemon/periodic_task.h"
#include "lib/logging/logger.h"
#include "lib/postgres/connection_pool.h"

namespace lokahi::lokahid {

struct ListCountsOptions {
  std::chrono::milliseconds compact_every{5000};
  std::chrono::milliseconds rebuild_every{std::chrono::hours(1)};
};

class ListCountsKeeper {
 public:
  ListCountsKeeper(postgres::ConnectionPool& pool, std::function<bool()> active,
                   ListCountsOptions options, logging::Logger& log);

 private:
  void Round();

  postgres::ConnectionPool& pool_;
  const std::function<bool()> active_;
  const ListCountsOptions options_;
  logging::Logger& log_;
  std::chrono::steady_clock::time_point next_rebuild_{};  // only the task's thread uses it
  daemon::PeriodicTask task_;                             // last: its thread uses the above
};

}  // namespace lokahi::lokahid
