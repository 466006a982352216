// The public status page, its JSON and badges over real HTTP against lokahid and Postgres: only
// checks a label publishes, by name, escaped; never a private field; cacheable.

#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <regex>

#include "lib/auth/basic_auth.h"
#include "tests/console/fetch.h"
#include "tests/support/daemon.h"
#include "tests/support/ports.h"
#include "tests/support/shared_services.h"

namespace lokahi {
namespace {

using testing::Fetch;
using testing::Services;

const auth::Credentials kAdmin{"admin", "status-pass"};

struct Created {
  std::string id;
  std::vector<std::string> private_values;  // what must never appear on public pages
};

class StatusPageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    database_url_ = Services().postgres.NewDatabase();
    port_ = testing::FreePort();
    lokahid_ = testing::StartConsoleLokahid(database_url_, port_, kAdmin);
  }

  // Creates a check through the Twirp API with every private field set to something unique.
  Created Create(const std::string& name, const std::string& labels_json) {
    const std::string tag = std::to_string(++created_);
    Created c;
    c.private_values = {
        "secret-host-" + tag + ".internal",   "/private/path/" + tag,
        "hook-host-" + tag + ".internal",     "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0AAA" + tag,
        "playbook-host-" + tag + ".internal", "team-" + tag};
    const std::string body = "{\"url\":\"http://" + c.private_values[0] + c.private_values[1] +
                             "?token=abc\",\"webhookUrl\":\"http://" + c.private_values[2] +
                             "/hook\",\"webhookSecret\":\"" + c.private_values[3] +
                             "\",\"playbookUrl\":\"http://" + c.private_values[4] +
                             "/run\",\"name\":\"" + name + "\",\"labels\":" + labels_json + "}";
    const auto answer = Fetch(port_, "POST", "/twirp/github.xe.lokahi.Checks/Create",
                              {"Authorization: " + auth::BasicAuthorizationHeader(kAdmin)}, body,
                              "application/json");
    EXPECT_EQ(answer.status, 200) << answer.body;
    std::smatch m;
    EXPECT_TRUE(std::regex_search(answer.body, m, std::regex("\"id\":\"([0-9a-f-]{36})\"")));
    c.id = m[1];
    return c;
  }

  void SetState(const std::string& id, int state) {
    pqxx::connection db(database_url_);
    pqxx::work txn(db);
    txn.exec_params0(
        "UPDATE check_states SET state = $2, state_changed_at = now() - interval '10 minutes'"
        " WHERE check_id = $1::uuid",
        id, state);
    txn.commit();
  }

  static void ExpectNothingPrivate(std::string text, const Created& c) {
    // The one URL a page may hold: SVG's namespace.
    text = std::regex_replace(text, std::regex("xmlns=\"http://www\\.w3\\.org/2000/svg\""), "");
    const auto around = [&](size_t at) { return text.substr(at < 100 ? 0 : at - 100, 200); };
    for (const auto& value : c.private_values) {
      const size_t at = text.find(value);
      EXPECT_EQ(at, std::string::npos) << value << " leaked: " << around(at);
    }
    // Field names and label keys too: no URL of any kind, no label at all.
    for (const std::string field : {"token=abc", "webhook", "secret", "playbook", "labels",
                                    "\"public\"", "public=", "\"status-page\"", "http://"}) {
      const size_t at = text.find(field);
      EXPECT_EQ(at, std::string::npos) << field << " leaked: " << around(at);
    }
  }

  std::string database_url_;
  int port_ = 0;
  int created_ = 0;
  std::unique_ptr<testing::ChildProcess> lokahid_;
};

TEST_F(StatusPageTest, ShowsOnlyPublishedChecksByNameEscapedAndNothingPrivate) {
  const auto shown = Create("<script>alert(1)</script> Payments", R"({"public":"true"})");
  const auto hidden = Create("Internal billing", R"({"team":"billing"})");
  const auto shop = Create("Shop front", R"({"status-page":"shop"})");
  SetState(shown.id, 1);
  SetState(shop.id, 2);

  const auto page = Fetch(port_, "GET", "/status");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(page.Header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("&lt;script&gt;alert(1)&lt;/script&gt; Payments"), std::string::npos);
  EXPECT_EQ(page.body.find("<script"), std::string::npos);
  EXPECT_EQ(page.body.find("Internal billing"), std::string::npos);
  EXPECT_EQ(page.body.find("Shop front"), std::string::npos);
  EXPECT_NE(page.body.find("data-banner=\"operational\""), std::string::npos);
  EXPECT_NE(page.body.find("24 h: "), std::string::npos);
  EXPECT_NE(page.body.find("90 d: "), std::string::npos);
  for (const auto* c : {&shown, &hidden, &shop}) ExpectNothingPrivate(page.body, *c);

  const auto json = Fetch(port_, "GET", "/status.json");
  ASSERT_EQ(json.status, 200);
  EXPECT_EQ(json.Header("content-type"), "application/json");
  EXPECT_NE(
      json.body.find("\"name\":\"\\u003cscript\\u003ealert(1)\\u003c/script\\u003e Payments\""),
      std::string::npos)
      << json.body;
  EXPECT_NE(json.body.find("\"banner\":\"operational\""), std::string::npos);
  EXPECT_NE(json.body.find("\"90d\":"), std::string::npos);
  EXPECT_EQ(json.body.find(hidden.id), std::string::npos);
  for (const auto* c : {&shown, &hidden, &shop}) ExpectNothingPrivate(json.body, *c);

  // /status/shop: the check labelled status-page=shop, DOWN: a major outage and an incident.
  const auto shop_page = Fetch(port_, "GET", "/status/shop");
  ASSERT_EQ(shop_page.status, 200);
  EXPECT_NE(shop_page.body.find("Shop front"), std::string::npos);
  EXPECT_EQ(shop_page.body.find("Payments"), std::string::npos);
  EXPECT_NE(shop_page.body.find("data-banner=\"major_outage\""), std::string::npos);
  EXPECT_TRUE(std::regex_search(
      shop_page.body, std::regex("<strong>Shop front</strong> is Down since .* \\(for (9m|10m)")))
      << shop_page.body;
  const auto shop_json = Fetch(port_, "GET", "/status/shop.json");
  EXPECT_NE(shop_json.body.find("\"incidents\":[{\"id\":\"" + shop.id + "\""), std::string::npos)
      << shop_json.body;
  for (const auto* c : {&shown, &hidden, &shop}) {
    ExpectNothingPrivate(shop_page.body, *c);
    ExpectNothingPrivate(shop_json.body, *c);
  }
  EXPECT_EQ(Fetch(port_, "GET", "/status/nobody").status, 200);
  EXPECT_EQ(Fetch(port_, "GET", "/status/..%2F").status, 404);
}

TEST_F(StatusPageTest, BadgesExistOnlyForPublishedChecks) {
  const auto shown = Create("API", R"({"public":"true"})");
  const auto hidden = Create("Secret API", R"({})");
  const auto shop = Create("Shop", R"({"status-page":"shop"})");
  SetState(shown.id, 1);

  const auto badge = Fetch(port_, "GET", "/badge/" + shown.id + ".svg");
  ASSERT_EQ(badge.status, 200);
  EXPECT_EQ(badge.Header("content-type"), "image/svg+xml");
  EXPECT_NE(badge.body.find(">UP</text>"), std::string::npos) << badge.body;
  ExpectNothingPrivate(badge.body, shown);
  const auto uptime = Fetch(port_, "GET", "/badge/" + shown.id + ".svg?metric=uptime");
  EXPECT_NE(uptime.body.find("uptime 30d"), std::string::npos) << uptime.body;
  EXPECT_EQ(Fetch(port_, "GET", "/badge/" + shop.id + ".svg").status, 200);

  EXPECT_EQ(Fetch(port_, "GET", "/badge/" + hidden.id + ".svg").status, 404);
  EXPECT_EQ(Fetch(port_, "GET", "/badge/00000000-0000-4000-8000-000000000000.svg").status, 404);
  EXPECT_EQ(Fetch(port_, "GET", "/badge/not-an-id.svg").status, 404);
  EXPECT_EQ(Fetch(port_, "GET", "/badge/" + shown.id).status, 404);
}

TEST_F(StatusPageTest, AnswersAreCacheableWithAnEtag) {
  Create("API", R"({"public":"true"})");
  const auto first = Fetch(port_, "GET", "/status");
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(first.Header("cache-control"), "public, max-age=30");
  const std::string etag = first.Header("etag");
  EXPECT_TRUE(std::regex_match(etag, std::regex("\"[0-9a-f]{32}\""))) << etag;
  const auto again = Fetch(port_, "GET", "/status", {"If-None-Match: " + etag});
  EXPECT_EQ(again.status, 304);
  EXPECT_EQ(again.body, "");
  EXPECT_EQ(Fetch(port_, "GET", "/status", {"If-None-Match: \"other\""}).status, 200);
  EXPECT_EQ(Fetch(port_, "GET", "/status.json").Header("cache-control"), "public, max-age=30");
  EXPECT_EQ(Fetch(port_, "POST", "/status", {}, "").status, 405);
}

// Clients that take gzip get the page, its JSON, the console's pages and assets compressed; the
// compressed page has its own ETag and is revalidated by it.
TEST_F(StatusPageTest, AnswersAreGzippedForClientsThatAcceptIt) {
  Create("Gzipped API", R"({"public":"true"})");
  for (const std::string name : {"Web", "Queue", "Mail"}) Create(name, R"({"public":"true"})");
  const std::string gzip = "Accept-Encoding: gzip, deflate";
  const auto plain = Fetch(port_, "GET", "/status");
  ASSERT_EQ(plain.status, 200);
  EXPECT_EQ(plain.Header("content-encoding"), "");
  EXPECT_EQ(plain.Header("vary"), "Accept-Encoding");
  const auto packed = Fetch(port_, "GET", "/status", {gzip});
  ASSERT_EQ(packed.status, 200);
  EXPECT_EQ(packed.Header("content-encoding"), "gzip");
  EXPECT_EQ(packed.Header("vary"), "Accept-Encoding");
  EXPECT_LT(packed.body.size(), plain.body.size());
  const std::string page = testing::Gunzip(packed.body);
  EXPECT_NE(page.find("Gzipped API"), std::string::npos);
  EXPECT_TRUE(page.ends_with("</html>\n"));
  const std::string etag = packed.Header("etag");
  EXPECT_NE(etag, plain.Header("etag"));
  EXPECT_EQ(Fetch(port_, "GET", "/status", {gzip, "If-None-Match: " + etag}).status, 304);

  const auto json = Fetch(port_, "GET", "/status.json", {gzip});
  EXPECT_EQ(json.Header("content-encoding"), "gzip");
  EXPECT_NE(testing::Gunzip(json.body).find("\"Gzipped API\""), std::string::npos);
  const auto overview =
      Fetch(port_, "GET", "/", {gzip, "Authorization: " + auth::BasicAuthorizationHeader(kAdmin)});
  EXPECT_EQ(overview.Header("content-encoding"), "gzip");
  EXPECT_NE(testing::Gunzip(overview.body).find("<h1>Overview</h1>"), std::string::npos);
  const auto htmx = Fetch(port_, "GET", "/assets/htmx.min.js", {gzip});
  EXPECT_EQ(htmx.Header("content-encoding"), "gzip");
  EXPECT_GT(testing::Gunzip(htmx.body).size(), htmx.body.size() * 2);
  EXPECT_EQ(Fetch(port_, "GET", "/assets/htmx.min.js").Header("content-encoding"), "");
}

}  // namespace
}  // namespace lokahi
