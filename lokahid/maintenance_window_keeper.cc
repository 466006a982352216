#include "lokahid/maintenance_window_keeper.h"

namespace lokahi::lokahid {

MaintenanceWindowKeeper::MaintenanceWindowKeeper(store::PgMaintenanceStore& store,
                                                 std::function<bool()> active,
                                                 std::chrono::milliseconds period,
                                                 logging::Logger& log)
    : store_(store), active_(std::move(active)), log_(log), task_(period, [this] { Round(); }) {}

void MaintenanceWindowKeeper::Round() {
  if (!active_()) return;
  try {
    if (const int queued = store_.Upkeep(); queued > 0) {
      log_.Info("maintenance_ended", {{"notifications_queued", queued}});
    }
  } catch (const std::exception& e) {
    log_.Warn("maintenance_upkeep_failed", {{"error", e.what()}});
  }
}

}  // namespace lokahi::lokahid
