#pragma once
// Keeps List's per-block counts (schema migration 104) short to read: folds creates' and
// deletes' deltas in every `compact_every` and renumbers every block from the rows every
// `rebuild_every` (which heals any drift). It runs on its own thread and pooled connection, so
// the scheduler's dispatch never waits behind it, and only while `active` says this replica
// holds the scheduler, so replicas do not take turns doing the same work.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

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
  ~ListCountsKeeper();
  ListCountsKeeper(const ListCountsKeeper&) = delete;
  ListCountsKeeper& operator=(const ListCountsKeeper&) = delete;

 private:
  void Loop();
  void Round(std::chrono::steady_clock::time_point now);

  postgres::ConnectionPool& pool_;
  std::function<bool()> active_;
  ListCountsOptions options_;
  logging::Logger& log_;
  std::chrono::steady_clock::time_point next_rebuild_{};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace lokahi::lokahid
