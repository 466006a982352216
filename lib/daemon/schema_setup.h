#pragma once
#include "lib/logging/logger.h"
#include "lib/postgres/connection_pool.h"

namespace lokahi::daemon {

// Applies the schema migrations, retrying the connection for up to `attempts` seconds so a stack
// whose parts start together comes up in any order. Every daemon calls it: migrations are
// idempotent and serialised by an advisory lock.
void MigrateWithRetry(postgres::ConnectionPool& pool, logging::Logger& log, int attempts = 30);

}  // namespace lokahi::daemon
