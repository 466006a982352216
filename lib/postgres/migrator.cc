#include "lib/postgres/migrator.h"

#include <pqxx/nontransaction>
#include <pqxx/transaction>

namespace lokahi::postgres {
namespace {
// Arbitrary but fixed: identifies lokahi's migration lock among other advisory locks.
constexpr long long kMigrationLockKey = 0x6c6f6b6168690001LL;

class AdvisoryLockGuard {
 public:
  explicit AdvisoryLockGuard(pqxx::connection& connection) : connection_(connection) {
    pqxx::nontransaction(connection_).exec_params("SELECT pg_advisory_lock($1)", kMigrationLockKey);
  }
  ~AdvisoryLockGuard() {
    try {
      pqxx::nontransaction(connection_)
          .exec_params("SELECT pg_advisory_unlock($1)", kMigrationLockKey);
    } catch (const std::exception&) {
      // The lock dies with the session anyway.
    }
  }

 private:
  pqxx::connection& connection_;
};
}  // namespace

std::vector<int> Migrate(pqxx::connection& connection, const std::vector<Migration>& migrations) {
  AdvisoryLockGuard lock(connection);
  {
    pqxx::work txn(connection);
    txn.exec0(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version integer PRIMARY KEY,"
        " description text NOT NULL,"
        " applied_at timestamptz NOT NULL DEFAULT now())");
    txn.commit();
  }
  std::vector<int> applied;
  for (const auto& migration : migrations) {
    pqxx::work txn(connection);
    const auto existing =
        txn.exec_params("SELECT 1 FROM schema_migrations WHERE version = $1", migration.version);
    if (!existing.empty()) continue;
    txn.exec0(migration.sql);
    txn.exec_params("INSERT INTO schema_migrations (version, description) VALUES ($1, $2)",
                    migration.version, migration.description);
    txn.commit();
    applied.push_back(migration.version);
  }
  return applied;
}

}  // namespace lokahi::postgres
