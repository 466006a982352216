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

struct CatalogSinks {
  std::function<void(ScheduledCheck&&)> upserted;
  std::function<void(const std::string& id)> deleted;  // called after every upsert
};

class PgCheckCatalog {
 public:
  // Streams every check to `sink` in pages; returns the newest version seen.
  int64_t LoadAll(pqxx::connection& connection,
                  const std::function<void(ScheduledCheck&&)>& sink) const;
  // Streams the changes with a version above `after_version` in pages, so a bulk insert of a
  // million checks is never one result in memory; returns the newest version seen.
  int64_t ChangesSince(pqxx::connection& connection, int64_t after_version,
                       const CatalogSinks& sinks) const;
};

}  // namespace lokahi::lokahid
