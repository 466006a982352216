#include "lokahid/check_catalog.h"

#include <algorithm>
#include <pqxx/pqxx>

#include "lib/checks/options_json.h"
#include "lokahid/convert.h"

namespace lokahi::lokahid {
namespace {
constexpr const char* kColumns =
    "id::text, url, timeout_ms, expected_status, every_seconds, version, enabled, probe::text";
constexpr int kPageSize = 20000;

ScheduledCheck FromRow(const pqxx::row& row) {
  ScheduledCheck check{row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<int>(),
                       row[3].as<int>(),         row[4].as<int>(),         row[5].as<int64_t>()};
  // A plain GET ("{}") carries nothing more.
  if (const auto probe = row[7].as<std::string>(); probe != "{}") {
    checks::CheckOptions options;
    checks::ProbeFromJson(probe, options);
    lokahi::internal::CheckSpec spec;
    ProbeSpecFromOptions(options, &spec);
    check.probe_spec = std::make_shared<const std::string>(spec.SerializeAsString());
  }
  return check;
}
// A paused check is not scheduled; resuming it is a change like any other, so it comes back.
bool Enabled(const pqxx::row& row) { return row[6].as<bool>(); }
}  // namespace

int64_t PgCheckCatalog::LoadAll(pqxx::connection& connection,
                                const std::function<void(ScheduledCheck&&)>& sink) const {
  int64_t newest = 0;
  {
    pqxx::read_transaction txn(connection);
    // Taken first: anything committed later has a higher number and shows up in ChangesSince.
    newest = txn.exec1("SELECT greatest((SELECT coalesce(max(version), 0) FROM checks),"
                       " (SELECT coalesce(max(version), 0) FROM check_tombstones))")[0]
                 .as<int64_t>();
  }
  std::string last_id = "00000000-0000-0000-0000-000000000000";
  bool first = true;
  while (true) {
    pqxx::read_transaction txn(connection);
    const auto rows = txn.exec_params(
        std::string("SELECT ") + kColumns + " FROM checks WHERE id " + (first ? ">=" : ">") +
            " $1::uuid ORDER BY id LIMIT $2",
        last_id, kPageSize);
    first = false;
    for (const auto& row : rows) {
      auto check = FromRow(row);
      newest = std::max(newest, check.version);
      last_id = check.id;
      if (Enabled(row)) sink(std::move(check));
    }
    if (rows.size() < static_cast<size_t>(kPageSize)) break;
  }
  return newest;
}

int64_t PgCheckCatalog::ChangesSince(pqxx::connection& connection, int64_t after_version,
                                     const CatalogSinks& sinks) const {
  int64_t newest = after_version;
  // One snapshot for every page, so a check cannot move between pages while they are read.
  pqxx::transaction<pqxx::repeatable_read, pqxx::readwrite_policy::read_only> txn(
      connection);
  for (int64_t from = after_version;;) {
    const auto rows = txn.exec_params(std::string("SELECT ") + kColumns +
                                          " FROM checks WHERE version > $1 ORDER BY version LIMIT $2",
                                      from, kPageSize);
    for (const auto& row : rows) {
      auto check = FromRow(row);
      newest = std::max(newest, check.version);
      from = check.version;
      if (Enabled(row)) {
        sinks.upserted(std::move(check));
      } else {
        sinks.deleted(check.id);  // paused: out of the schedule until resumed
      }
    }
    if (rows.size() < static_cast<size_t>(kPageSize)) break;
  }
  for (int64_t from = after_version;;) {
    const auto rows = txn.exec_params(
        "SELECT id::text, version FROM check_tombstones WHERE version > $1 ORDER BY version"
        " LIMIT $2",
        from, kPageSize);
    for (const auto& row : rows) {
      newest = std::max(newest, row[1].as<int64_t>());
      from = row[1].as<int64_t>();
      sinks.deleted(row[0].as<std::string>());
    }
    if (rows.size() < static_cast<size_t>(kPageSize)) break;
  }
  return newest;
}

}  // namespace lokahi::lokahid
