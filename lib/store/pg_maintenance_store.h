#pragma once
// Maintenance windows in Postgres (migration 130): create, list, delete, and the upkeep lokahid's
// active scheduler runs every few seconds (plan the coming occurrences; settle the silenced
// transitions of checks no window covers any more). Thread-safe; borrows a pool connection per
// call. Inputs must be validated (lib/labels, lib/maintenance) except what only the database
// knows: that the checks named exist, that the time zone is one it has.

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "lib/maintenance/weekly_schedule.h"
#include "lib/postgres/connection_pool.h"
#include "lib/store/pg_time.h"

namespace lokahi::store {

struct NewMaintenanceWindow {
  std::vector<std::string> check_ids;  // UUIDs, validated
  std::string selector;                // canonical text (labels::Selector::ToString)
  std::string selector_json;           // labels::Selector::ToJson; "" for none
  // Exactly one of: start and end; a duration from now (database clock); a weekly schedule.
  std::optional<TimePoint> start, end;
  std::optional<std::chrono::seconds> duration;
  std::optional<maintenance::WeeklySchedule> weekly;
  std::string reason;
};

struct MaintenanceWindow {
  std::string id;
  std::vector<std::string> check_ids;
  std::string selector;
  std::optional<TimePoint> start, end;  // one-off windows
  std::optional<maintenance::WeeklySchedule> weekly;
  std::string reason;
  TimePoint created_at;
  // The occurrence covering now, else the next one planned (none once a one-off has passed).
  bool active = false;
  std::optional<TimePoint> next_start, next_end;
};

// The window refers to something the database does not have (a check id, a time zone); the
// message says which, for the caller.
class MaintenanceRefused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class PgMaintenanceStore final {
 public:
  explicit PgMaintenanceStore(postgres::ConnectionPool& pool) : pool_(pool) {}

  // Throws MaintenanceRefused for an unknown check id or time zone, or an end already past.
  MaintenanceWindow Create(const NewMaintenanceWindow& window);
  // Live windows, oldest first (at most `limit`).
  std::vector<MaintenanceWindow> List(int limit);
  // Ends the window now (an occurrence in progress ends at once, so its checks get their one
  // notification at the next settling) and returns it as it was; nullopt when no such window.
  std::optional<MaintenanceWindow> Delete(const std::string& id);

  // Plans occurrences a week ahead; then, for every check with silenced transitions that no
  // window covers now, marks them settled and queues one notification (an outbox transition
  // from the state receivers were last told to the current one) when the two differ. Returns
  // the notifications queued.
  int Upkeep();

 private:
  postgres::ConnectionPool& pool_;
};

}  // namespace lokahi::store
