// PgCheckStore against a real Postgres: what a change costs the scheduler, which polls versions.

#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "lib/postgres/migrator.h"
#include "lib/store/pg_check_store.h"
#include "lib/store/schema.h"
#include "tests/support/shared_services.h"

namespace lokahi::store {
namespace {

class CheckStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pool_ =
        std::make_unique<postgres::ConnectionPool>(testing::Services().postgres.NewDatabase(), 2);
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

  std::unique_ptr<postgres::ConnectionPool> pool_;
};

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

}  // namespace
}  // namespace lokahi::store
