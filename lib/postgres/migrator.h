#pragma once
// Applies versioned schema migrations. Safe when several processes start at once: a session-level
// advisory lock serialises them, and each migration commits with its version row, so a version is
// applied exactly once.

#include <string>
#include <vector>

#include <pqxx/connection>

namespace lokahi::postgres {

struct Migration {
  int version;
  std::string description;
  std::string sql;
};

// Returns the versions applied by this call (empty when the schema was already current).
std::vector<int> Migrate(pqxx::connection& connection, const std::vector<Migration>& migrations);

}  // namespace lokahi::postgres
