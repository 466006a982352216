#include "lib/daemon/schema_setup.h"

#include <pqxx/except>
#include <thread>

#include "lib/postgres/migrator.h"
#include "lib/store/schema.h"

namespace lokahi::daemon {

void MigrateWithRetry(postgres::ConnectionPool& pool, logging::Logger& log, int attempts) {
  for (int attempt = 1;; ++attempt) {
    try {
      auto connection = pool.Acquire();
      const auto applied = postgres::Migrate(*connection, store::SchemaMigrations());
      log.Info("schema_ready", {{"migrations_applied", static_cast<int>(applied.size())}});
      return;
    } catch (const pqxx::broken_connection& e) {
      if (attempt >= attempts) throw;
      log.Warn("database_unreachable", {{"attempt", attempt}, {"error", e.what()}});
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  }
}

}  // namespace lokahi::daemon
