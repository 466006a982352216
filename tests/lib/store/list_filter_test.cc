// PgCheckStore::List with filters against a real Postgres: only matching checks, in List's order,
// paged by cursor without skipping or repeating one.

#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "lib/labels/label_selector.h"
#include "lib/postgres/migrator.h"
#include "lib/store/pg_check_store.h"
#include "lib/store/schema.h"
#include "tests/support/shared_services.h"

namespace lokahi::store {
namespace {

class ListFilterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = testing::Services().postgres.NewDatabase();
    pool_ = std::make_unique<postgres::ConnectionPool>(url_, 2);
    auto c = pool_->Acquire();
    postgres::Migrate(*c, SchemaMigrations());
    store_ = std::make_unique<PgCheckStore>(*pool_);
  }

  // A check with this URL, name, labels (JSON object) and state, written with SQL so the test
  // does not depend on how the API sets them.
  std::string Check(const std::string& url, const std::string& name, const std::string& labels,
                    checks::State state) {
    checks::CheckOptions o;
    o.url = url;
    o.webhook_url = "http://127.0.0.1:9/hook";
    checks::ApplyDefaults(o);
    const auto id = store_->Create(o).id;
    auto c = pool_->Acquire();
    pqxx::work txn(*c);
    txn.exec_params("UPDATE checks SET name = $2, labels = $3::jsonb WHERE id = $1::uuid", id,
                    name, labels);
    txn.exec_params("UPDATE check_states SET state = $2 WHERE check_id = $1::uuid", id,
                    static_cast<int>(state));
    txn.commit();
    return id;
  }

  static ListFilter Selecting(const std::string& text) {
    std::string error;
    const auto selector = labels::ParseSelector(text, &error);
    EXPECT_TRUE(selector) << error;
    return {std::nullopt, selector->ToJson(), selector->EqualsJson(), ""};
  }

  std::vector<std::string> Ids(const ListFilter& filter, int count = 50,
                               const std::optional<ListCursor>& after = std::nullopt) {
    std::vector<std::string> ids;
    for (const auto& check : store_->List(count, 0, after, filter).checks) ids.push_back(check.id);
    return ids;
  }

  std::string url_;
  std::unique_ptr<postgres::ConnectionPool> pool_;
  std::unique_ptr<PgCheckStore> store_;
};

using checks::State;

TEST_F(ListFilterTest, EachFilterKeepsOnlyWhatMatchesInListOrder) {
  const auto pay_api = Check("http://api.pay.example/health", "payments API",
                             R"({"team":"payments","env":"prod"})", State::kDown);
  const auto pay_dev = Check("http://dev.pay.example/", "payments dev",
                             R"({"team":"payments","env":"dev"})", State::kDown);
  const auto search = Check("http://search.example/api/ping", "search",
                            R"({"team":"search"})", State::kUp);
  const auto bare = Check("http://bare.example/", "", "{}", State::kUp);

  EXPECT_EQ(Ids({State::kDown, "", "", ""}), (std::vector<std::string>{pay_api, pay_dev}));
  EXPECT_EQ(Ids({State::kUp, "", "", ""}), (std::vector<std::string>{search, bare}));
  EXPECT_EQ(Ids(Selecting("team=payments")), (std::vector<std::string>{pay_api, pay_dev}));
  EXPECT_EQ(Ids(Selecting("team=payments,env!=dev")), std::vector<std::string>{pay_api});
  EXPECT_EQ(Ids(Selecting("env!=dev")), (std::vector<std::string>{pay_api, search, bare}));
  EXPECT_EQ(Ids(Selecting("!team")), std::vector<std::string>{bare});
  EXPECT_EQ(Ids(Selecting("env")), (std::vector<std::string>{pay_api, pay_dev}));
  // Name or URL, any case; LIKE's wildcards are plain characters.
  EXPECT_EQ(Ids({std::nullopt, "", "", "API"}), (std::vector<std::string>{pay_api, search}));
  EXPECT_EQ(Ids({std::nullopt, "", "", "pay"}), (std::vector<std::string>{pay_api, pay_dev}));
  EXPECT_TRUE(Ids({std::nullopt, "", "", "a%i"}).empty());
  EXPECT_TRUE(Ids({std::nullopt, "", "", "s\nh"}).empty());  // never across name and URL
  // All together.
  auto all = Selecting("team=payments");
  all.state = State::kDown;
  all.search = "api";
  EXPECT_EQ(Ids(all), std::vector<std::string>{pay_api});
}

TEST_F(ListFilterTest, CursorPagingNeitherSkipsNorRepeats) {
  std::vector<std::string> down;
  for (int i = 0; i < 25; ++i) {
    const auto id = Check("http://h" + std::to_string(i) + ".example/", "",
                          i % 2 ? R"({"team":"a"})" : R"({"team":"b"})",
                          i % 3 ? State::kUp : State::kDown);
    if (i % 3 == 0 && i % 2 == 1) down.push_back(id);
  }
  auto filter = Selecting("team=a");
  filter.state = State::kDown;
  std::vector<std::string> seen;
  std::optional<ListCursor> after;
  for (int pages = 0; pages < 10; ++pages) {
    const auto page = store_->List(2, 0, after, filter);
    for (const auto& check : page.checks) seen.push_back(check.id);
    if (page.checks.size() < 2) break;
    after = ListCursor{std::chrono::duration_cast<std::chrono::microseconds>(
                           page.checks.back().created_at.time_since_epoch())
                           .count(),
                       page.checks.back().id};
  }
  EXPECT_EQ(seen, down);
}

TEST_F(ListFilterTest, AStateChangeMovesACheckBetweenStateListings) {
  const auto a = Check("http://a.example/", "", "{}", State::kUp);
  const auto b = Check("http://b.example/", "", "{}", State::kUp);
  EXPECT_TRUE(Ids({State::kDown, "", "", ""}).empty());
  auto c = pool_->Acquire();
  pqxx::work txn(*c);
  txn.exec_params("UPDATE check_states SET state = 2 WHERE check_id = $1::uuid", b);
  txn.commit();
  EXPECT_EQ(Ids({State::kDown, "", "", ""}), std::vector<std::string>{b});
  EXPECT_EQ(Ids({State::kUp, "", "", ""}), std::vector<std::string>{a});
}

}  // namespace
}  // namespace lokahi::store
