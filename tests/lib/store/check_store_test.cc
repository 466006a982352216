// PgCheckStore against a real Postgres: what a change costs the scheduler, which polls versions.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "lib/postgres/migrator.h"
#include "lib/store/pg_check_store.h"
#include "lib/store/schema.h"
#include "tests/support/shared_services.h"

namespace lokahi::store {
namespace {

class CheckStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = testing::Services().postgres.NewDatabase();
    pool_ = std::make_unique<postgres::ConnectionPool>(url_, 2);
    auto c = pool_->Acquire();
    postgres::Migrate(*c, SchemaMigrations());
  }

  int64_t VersionOf(const checks::CheckId& id) {
    auto c = pool_->Acquire();
    pqxx::read_transaction txn(*c);
    return txn.exec_params1("SELECT version FROM checks WHERE id = $1::uuid", id.str())[0]
        .as<int64_t>();
  }

  // Stores `options` as they are, as a Put naming every field does.
  static std::optional<checks::Check> Replace(PgCheckStore& store, const checks::CheckId& id,
                                              const checks::CheckOptions& options) {
    return store
        .Modify(id,
                [&](checks::CheckOptions& stored) -> std::optional<std::string> {
                  stored = options;
                  return std::nullopt;
                })
        .check;
  }

  // The ids at [offset, offset + count) of List's order, by walking every row before them.
  std::vector<std::string> Walked(int count, int offset) {
    auto c = pool_->Acquire();
    pqxx::read_transaction txn(*c);
    std::vector<std::string> ids;
    for (const auto& row : txn.exec_params("SELECT id::text FROM checks ORDER BY created_at, id"
                                           " LIMIT $1 OFFSET $2",
                                           count, offset)) {
      ids.push_back(row[0].as<std::string>());
    }
    return ids;
  }
  static std::vector<std::string> Listed(PgCheckStore& store, int count, int offset) {
    std::vector<std::string> ids;
    for (const auto& check : store.List(count, offset, std::nullopt).checks) {
      ids.push_back(check.id);
    }
    return ids;
  }
  int Stored() { return Count("SELECT count(*) FROM checks"); }
  int CountedInBlocks() {
    return Count(
        "SELECT sum(checks) FROM (SELECT checks FROM check_list_blocks"
        " UNION ALL SELECT checks FROM check_list_deltas) parts");
  }
  static checks::CheckOptions SomeCheck() {
    checks::CheckOptions o;
    o.url = "http://127.0.0.1:9/";
    o.webhook_url = "http://127.0.0.1:9/hook";
    checks::ApplyDefaults(o);
    return o;
  }

  std::string url_;
  std::unique_ptr<postgres::ConnectionPool> pool_;

 private:
  int Count(const std::string& query) {
    auto c = pool_->Acquire();
    pqxx::read_transaction txn(*c);
    return txn.exec1(query)[0].as<int>();
  }
};

// Issue 13 defect 4: 300 checks with 8 KB URLs made one 7.2 MB List answer,
// over the 4 MB a gRPC client takes by default, so listing failed for everyone.
TEST_F(CheckStoreTest, AListPageOfLargeChecksStaysUnderItsByteBoundAndTheWalkMissesNone) {
  PgCheckStore store(*pool_);
  auto large = SomeCheck();
  large.url = "http://127.0.0.1:9/" + std::string(8000, 'u');
  large.webhook_url = "http://127.0.0.1:9/" + std::string(8000, 'w');
  large.playbook_url = "http://127.0.0.1:9/" + std::string(8000, 'p');
  constexpr int kChecks = 300;
  for (int i = 0; i < kChecks; ++i) store.Create(large);

  std::vector<std::string> walked;
  std::optional<ListCursor> after;
  for (int pages = 0; pages < 100; ++pages) {
    const ChecksPage page = store.List(1000, 0, after);
    ASSERT_FALSE(page.checks.empty());
    size_t bytes = 0;
    for (const auto& check : page.checks) {
      bytes += ListedBytes(check);
      walked.push_back(check.id);
    }
    EXPECT_LE(bytes, kMaxListPageBytes);
    if (!page.cut_short) break;
    EXPECT_LT(page.checks.size(), 1000u);
    const auto& last = page.checks.back();
    after = ListCursor{
        std::chrono::duration_cast<std::chrono::microseconds>(last.created_at.time_since_epoch())
            .count(),
        last.id};
  }
  EXPECT_EQ(walked, Walked(kChecks, 0));
}

TEST_F(CheckStoreTest, AnUpdateThatChangesNothingKeepsVersionAndUpdatedAt) {
  PgCheckStore store(*pool_);
  checks::CheckOptions o;
  o.url = "http://127.0.0.1:9/";
  o.webhook_url = "http://127.0.0.1:9/hook";
  o.playbook_url = "https://wiki.example.com/playbook";
  checks::ApplyDefaults(o);
  const auto created = store.Create(o);
  const auto id = *checks::CheckId::Parse(created.id);
  const int64_t version = VersionOf(id);

  const auto same = Replace(store, id, o);
  ASSERT_TRUE(same);
  EXPECT_EQ(VersionOf(id), version) << "the scheduler sees no change";
  EXPECT_EQ(same->updated_at, created.updated_at);
  EXPECT_EQ(same->options.playbook_url, o.playbook_url);

  o.playbook_url.clear();
  const auto cleared = Replace(store, id, o);
  ASSERT_TRUE(cleared);
  EXPECT_GT(VersionOf(id), version);
  EXPECT_GT(cleared->updated_at, created.updated_at);
  EXPECT_EQ(cleared->options.playbook_url, "");

  EXPECT_FALSE(Replace(store, *checks::CheckId::Parse("a5c7179a-0d3a-11e8-b53d-8faa88cfa70c"), o));
}

// Deep offsets start from check_list_blocks' counts (migration 104) instead of walking every
// row before them; the page must be exactly what walking gives, whatever created and deleted the
// rows: bulk inserts, single creates, late commits that sort before existing rows, deletes.
TEST_F(CheckStoreTest, ADeepOffsetPageIsExactlyTheRowsAtThatPositionAfterCreatesAndDeletes) {
  PgCheckStore store(*pool_);
  const auto sql = [&](const std::string& statement) {
    auto c = pool_->Acquire();
    pqxx::work txn(*c);
    txn.exec(statement);
    txn.commit();
  };
  const auto bulk_insert = [&](int n, const std::string& created_at) {
    sql("INSERT INTO checks (url, webhook_url, every_seconds, timeout_ms" +
        std::string(created_at.empty() ? "" : ", created_at") +
        ") SELECT 'http://127.0.0.1:9/' || n, 'http://127.0.0.1:9/hook', 60, 1000" +
        (created_at.empty() ? "" : ", " + created_at) + " FROM generate_series(1, " +
        std::to_string(n) + ") AS n");
  };
  const auto expect_pages_exact = [&](const std::string& after_what) {
    const int total = Stored();
    for (int offset : {0, 999, 1000, 1001, 1499, 1999, 2000, 2001, 2950, total - 50, total - 1,
                       total, total + 7}) {
      EXPECT_EQ(Listed(store, 50, offset), Walked(50, offset))
          << "offset " << offset << " of " << total << " after " << after_what;
    }
    EXPECT_EQ(Listed(store, 1000, 1500), Walked(1000, 1500)) << after_what;
  };
  // Pages are exact before lokahid folds the deltas in, and after.
  const auto expect_pages_exact_before_and_after_compaction = [&](const std::string& after_what) {
    expect_pages_exact(after_what);
    sql("SELECT lokahi_compact_check_list()");
    expect_pages_exact(after_what + ", compacted");
  };

  bulk_insert(1500, "");
  std::vector<std::string> created;
  for (int i = 0; i < 30; ++i) created.push_back(store.Create(SomeCheck()).id);
  bulk_insert(1700, "");
  expect_pages_exact_before_and_after_compaction("bulk inserts and single creates");

  // Commits that sort before rows already counted: before every block, and inside one.
  bulk_insert(20, "'2001-01-01'::timestamptz + n * interval '1 second'");
  std::string middle;
  {
    auto c = pool_->Acquire();
    pqxx::read_transaction txn(*c);
    const auto row = txn.exec1(
        "SELECT created_at::text FROM checks ORDER BY created_at, id OFFSET 1700 LIMIT 1");
    middle = row[0].as<std::string>();
  }
  bulk_insert(15, "'" + middle + "'::timestamptz");
  expect_pages_exact_before_and_after_compaction("late commits");

  sql("DELETE FROM checks WHERE id IN (SELECT id FROM checks ORDER BY created_at, id"
      " OFFSET 900 LIMIT 1300)");  // empties a whole block and cuts into two
  sql("DELETE FROM checks WHERE id IN (SELECT id FROM checks ORDER BY id LIMIT 300)");
  for (int i = 0; i < 10; ++i) store.Delete(*checks::CheckId::Parse(created[i * 3]));
  expect_pages_exact_before_and_after_compaction("deletes");
  EXPECT_EQ(CountedInBlocks(), Stored()) << "the blocks count every check once";
}

// Upgrading a database that already holds checks counts every one of them; afterwards a
// TRUNCATE starts the counts afresh, and a check's place in the list cannot be edited away.
TEST_F(CheckStoreTest, TheListCountsCoverChecksFromBeforeTheUpgradeAndAfterATruncate) {
  const std::string url = testing::Services().postgres.NewDatabase();
  postgres::ConnectionPool pool(url, 2);
  auto c = pool.Acquire();
  std::vector<postgres::Migration> before_104;
  for (const auto& m : SchemaMigrations()) {
    if (m.version < 104) before_104.push_back(m);
  }
  postgres::Migrate(*c, before_104);
  const auto sql = [&](const std::string& statement) {
    pqxx::work txn(*c);
    txn.exec(statement);
    txn.commit();
  };
  const auto count = [&](const std::string& query) {
    pqxx::read_transaction txn(*c);
    return txn.exec1(query)[0].as<long long>();
  };
  const std::string insert_2500 =
      "INSERT INTO checks (url, webhook_url, every_seconds, timeout_ms)"
      " SELECT 'http://127.0.0.1:9/' || n, 'http://127.0.0.1:9/hook', 60, 1000"
      " FROM generate_series(1, 2500) AS n";
  sql(insert_2500);
  postgres::Migrate(*c, SchemaMigrations());
  EXPECT_EQ(count("SELECT sum(checks) FROM check_list_blocks"), 2500);
  EXPECT_EQ(count("SELECT count(*) FROM check_list_blocks"), 4) << "the sentinel and 3 blocks";

  PgCheckStore store(pool);
  const auto walked = [&](int offset) {
    pqxx::read_transaction txn(*c);
    std::vector<std::string> ids;
    for (const auto& row : txn.exec_params(
             "SELECT id::text FROM checks ORDER BY created_at, id LIMIT 50 OFFSET $1", offset)) {
      ids.push_back(row[0].as<std::string>());
    }
    return ids;
  };
  EXPECT_EQ(Listed(store, 50, 2100), walked(2100));

  sql("TRUNCATE checks CASCADE");
  EXPECT_EQ(count("SELECT coalesce(sum(checks), 0) FROM check_list_blocks"), 0);
  sql(insert_2500);
  EXPECT_EQ(Listed(store, 50, 1800), walked(1800));

  EXPECT_THROW(sql("UPDATE checks SET created_at = created_at - interval '1 day'"
                   " WHERE id = (SELECT id FROM checks LIMIT 1)"),
               pqxx::sql_error);
}

// Several lokahid replicas create and delete at once while the active one compacts the counts:
// the blocks still count each check once, in the block that holds it.
TEST_F(CheckStoreTest, ConcurrentCreatesDeletesAndCompactionsKeepDeepOffsetsExact) {
  postgres::ConnectionPool pool(url_, 5);
  PgCheckStore store(pool);
  const auto run = [&](const char* statement) {
    auto c = pool.Acquire();
    pqxx::work txn(*c);
    txn.exec(statement);
    txn.commit();
  };
  run("INSERT INTO checks (url, webhook_url, every_seconds, timeout_ms)"
      " SELECT 'http://127.0.0.1:9/' || n, 'http://127.0.0.1:9/hook', 60, 1000"
      " FROM generate_series(1, 5000) AS n");
  run("SELECT lokahi_compact_check_list()");

  std::atomic<int> writers_left{4};
  std::atomic<int> compactions{0};
  std::thread compactor([&] {
    while (writers_left.load() > 0) {
      run("SELECT lokahi_compact_check_list()");
      compactions.fetch_add(1);
    }
  });
  std::vector<std::thread> replicas;
  for (int r = 0; r < 4; ++r) {
    replicas.emplace_back([&store, &writers_left, r] {
      for (int i = 0; i < 400; ++i) {
        const auto id = store.Create(SomeCheck()).id;
        if (r % 2 == 0 && i % 4 == 0) store.Delete(*checks::CheckId::Parse(id));
      }
      writers_left.fetch_sub(1);
    });
  }
  for (auto& replica : replicas) replica.join();
  compactor.join();
  EXPECT_GT(compactions.load(), 1) << "compactions ran while the replicas wrote";

  ASSERT_EQ(Stored(), 5000 + 4 * 400 - 2 * 100);
  EXPECT_EQ(CountedInBlocks(), Stored());
  const auto expect_exact = [&](const std::string& when) {
    for (int offset : {1000, 2345, 4999, 5000, 5600, 6350}) {
      EXPECT_EQ(Listed(store, 50, offset), Walked(50, offset)) << "offset " << offset << when;
    }
  };
  expect_exact("");
  run("SELECT lokahi_compact_check_list()");
  expect_exact(", compacted");
  // Every block's count is the number of rows in its range.
  auto c = pool.Acquire();
  pqxx::read_transaction txn(*c);
  EXPECT_EQ(txn.exec1("SELECT count(*) FROM (SELECT b.checks, (SELECT count(*) FROM checks"
                      "   WHERE (created_at, id) >= (b.first_created_at, b.first_id)"
                      "   AND (b.next_at IS NULL OR (created_at, id) < (b.next_at, b.next_id)))"
                      "   AS rows_in_range"
                      " FROM (SELECT *, lead(first_created_at) OVER w AS next_at,"
                      "   lead(first_id) OVER w AS next_id FROM check_list_blocks"
                      "   WINDOW w AS (ORDER BY first_created_at, first_id)) b) counted"
                      " WHERE checks <> rows_in_range")[0]
                .as<int>(),
            0);
}

}  // namespace
}  // namespace lokahi::store
