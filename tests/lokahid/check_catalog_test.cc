// The scheduler's catalog against a real Postgres: a paused check leaves the schedule, and comes
// back when it is resumed.

#include "lokahid/check_catalog.h"

#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <set>

#include "tests/lib/webhook/outbox_rows.h"

namespace lokahi::lokahid {
namespace {

void SetEnabled(pqxx::connection& sql, const std::string& id, bool enabled) {
  pqxx::work txn(sql);
  txn.exec_params(
      "UPDATE checks SET enabled = $2, version = nextval('check_versions') WHERE id = $1::uuid", id,
      enabled);
  txn.commit();
}

TEST(CheckCatalog, PausedChecksAreNotScheduledUntilResumed) {
  const std::string url = webhook::testrows::NewMigratedDatabase();
  pqxx::connection sql(url);
  const std::string running = webhook::testrows::InsertCheck(sql, {"http://127.0.0.1:9/hook"});
  const std::string paused = webhook::testrows::InsertCheck(sql, {"http://127.0.0.1:9/hook"});
  SetEnabled(sql, paused, false);

  PgCheckCatalog catalog;
  std::set<std::string> loaded;
  const int64_t version =
      catalog.LoadAll(sql, [&](ScheduledCheck&& check) { loaded.insert(check.id); });
  EXPECT_EQ(loaded, (std::set<std::string>{running}));

  std::set<std::string> upserted, deleted;
  CatalogSinks sinks{[&](ScheduledCheck&& check) { upserted.insert(check.id); },
                     [&](const std::string& id) { deleted.insert(id); }};
  SetEnabled(sql, running, false);
  const int64_t after_pause = catalog.ChangesSince(sql, version, sinks);
  EXPECT_TRUE(upserted.empty());
  EXPECT_EQ(deleted, (std::set<std::string>{running})) << "a check paused now leaves the queue";

  deleted.clear();
  SetEnabled(sql, running, true);
  catalog.ChangesSince(sql, after_pause, sinks);
  EXPECT_EQ(upserted, (std::set<std::string>{running})) << "resumed, it is scheduled again";
  EXPECT_TRUE(deleted.empty());
}

}  // namespace
}  // namespace lokahi::lokahid
