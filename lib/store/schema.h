#pragma once
// The database schema, as versioned migrations. Tables:
//   checks           what users configure (written by the API only)
//   check_states     the state machine per check (written by healthworkers, hot)
//   check_tombstones deleted ids, so the scheduler learns of deletions by polling versions
//   results          one row per probe, partitioned by day for cheap retention
//   transitions      one row per change of state; also the webhook outbox
//   scheduler_state  how far the active scheduler has dispatched (for fail-over)

#include <vector>

#include "lib/postgres/migrator.h"

namespace lokahi::store {

const std::vector<postgres::Migration>& SchemaMigrations();

}  // namespace lokahi::store
