#pragma once
// Housekeeping done by the active scheduler only, so replicas never do it twice: creates the
// coming days' results partitions, drops partitions past retention (cheap: no row-by-row
// DELETE), and trims tombstones the scheduler no longer needs.

#include <pqxx/connection>

#include "lib/logging/logger.h"

namespace lokahi::lokahid {

void RunMaintenance(pqxx::connection& connection, int retention_days, logging::Logger& log);

// Folds creates' and deletes' counts into List's blocks (schema migration 104), so deep offsets
// stay a short walk. Gives up at once (returns false) while another transaction holds the
// blocks, rather than stall the scheduler that calls it; the next round catches up.
bool CompactCheckList(pqxx::connection& connection);
// Renumbers every block of List's counts from the rows themselves (about a second at 1,000,000
// checks, creates waiting meanwhile), so a count that drifted is right again. Gives up like
// CompactCheckList.
bool RebuildCheckList(pqxx::connection& connection);

}  // namespace lokahi::lokahid
