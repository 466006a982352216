#pragma once
// Keeps maintenance windows going (PgMaintenanceStore::Upkeep): plans their coming occurrences
// and, when one ends, queues the one notification of each check whose state changed under it.
// Runs every `period` on its own thread and pooled connection, only while `active` says this
// replica holds the scheduler. A notification is therefore queued within about `period` of a
// window's end (the webhookworker's sweep delivers it, no nudge needed).

#include <chrono>
#include <functional>

#include "lib/daemon/periodic_task.h"
#include "lib/logging/logger.h"
#include "lib/store/pg_maintenance_store.h"

namespace lokahi::lokahid {

class MaintenanceWindowKeeper {
 public:
  // `store` and `log` must outlive the keeper.
  MaintenanceWindowKeeper(store::PgMaintenanceStore& store, std::function<bool()> active,
                          std::chrono::milliseconds period, logging::Logger& log);

 private:
  void Round();

  store::PgMaintenanceStore& store_;
  const std::function<bool()> active_;
  logging::Logger& log_;
  daemon::PeriodicTask task_;  // last: its thread uses the above
};

}  // namespace lokahi::lokahid
