#pragma once
// Housekeeping done by the active scheduler only, so replicas never do it twice: creates the
// coming days' results partitions, drops partitions past retention (cheap: no row-by-row
// DELETE), and trims tombstones the scheduler no longer needs.

#include <pqxx/connection>

#include "lib/logging/logger.h"

namespace lokahi::lokahid {

void RunMaintenance(pqxx::connection& connection, int retention_days, logging::Logger& log);

}  // namespace lokahi::lokahid
