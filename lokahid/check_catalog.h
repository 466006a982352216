#pragma once
// Reads the checks the scheduler needs from Postgres: everything once, then only what changed.
//
// Every insert, update and deletion takes a number from the `check_versions` sequence. A
// transaction can commit after one holding a higher number, so polling "version > newest seen"
// could miss it; polls therefore re-read a trailing window of versions, and the caller ignores
// versions it already holds.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <pqxx/connection>

#include "lokahid/slot_queue.h"

namespace lokahi::lokahid {

struct CatalogChanges {
  std::vector<ScheduledCheck> upserted;
  std::vector<std::string> deleted;
  int64_t newest_version = 0;
};

class PgCheckCatalog {
 public:
  // Streams every check to `sink` in pages; returns the newest version seen.
  int64_t LoadAll(pqxx::connection& connection,
                  const std::function<void(ScheduledCheck&&)>& sink) const;
  // Changes with a version above `after_version`.
  CatalogChanges ChangesSince(pqxx::connection& connection, int64_t after_version) const;
};

}  // namespace lokahi::lokahid
