// The web console over real HTTP against lokahid and Postgres: who may see it,
// what each answer carries (CSP, X-Frame-Options, cookies), CSRF refusals,
// escaping of what users typed and the API's validation messages at the field.

#include <gtest/gtest.h>

#include <algorithm>
#include <pqxx/pqxx>
#include <regex>
#include <set>

#include "lib/auth/basic_auth.h"
#include "tests/console/fetch.h"
#include "tests/support/daemon.h"
#include "tests/support/ports.h"
#include "tests/support/raw_http.h"
#include "tests/support/shared_services.h"

namespace lokahi {
namespace {

using testing::Services;

const auth::Credentials kAdmin{"admin", "s3cret-pass"};
const std::string kHook = "&webhook_url=http%3A%2F%2F127.0.0.1%3A9%2Fhook";

using testing::CsrfOf;
using testing::Fetch;

std::string Basic() { return "Authorization: " + auth::BasicAuthorizationHeader(kAdmin); }

class ConsoleHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    database_url_ = Services().postgres.NewDatabase();
    port_ = testing::FreePort();
    lokahid_ = testing::StartConsoleLokahid(database_url_, port_, kAdmin);
  }

  long long Count(const std::string& sql) {
    pqxx::connection db(database_url_);
    pqxx::read_transaction txn(db);
    return txn.exec1(sql)[0].as<long long>();
  }

  std::string database_url_;
  int port_ = 0;
  std::unique_ptr<testing::ChildProcess> lokahid_;
};

TEST_F(ConsoleHttpTest, WithoutCredentialsEveryPageAnswers401WithTheLoginForm) {
  for (const std::string path : {"/", "/checks", "/checks/new", "/overview/live"}) {
    const auto response = Fetch(port_, "GET", path);
    EXPECT_EQ(response.status, 401) << path;
    EXPECT_NE(response.body.find("<form method=\"post\" action=\"/login\">"), std::string::npos)
        << path;
    EXPECT_EQ(response.Header("x-frame-options"), "DENY");
  }
  const auto wrong = Fetch(port_, "GET", "/",
                           {"Authorization: " + auth::BasicAuthorizationHeader({"admin", "nope"})});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(Fetch(port_, "POST", "/checks/new", {}, "url=http%3A%2F%2F127.0.0.1%3A9%2F").status,
            401);
  EXPECT_EQ(Count("SELECT count(*) FROM checks"), 0);
}

TEST_F(ConsoleHttpTest, PagesForbidInlineScriptsAndFraming) {
  const auto response = Fetch(port_, "GET", "/", {Basic()});
  ASSERT_EQ(response.status, 200) << response.body;
  const std::string csp = response.Header("content-security-policy");
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << csp;
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
  EXPECT_EQ(response.Header("x-frame-options"), "DENY");
  EXPECT_EQ(response.Header("cache-control"), "no-store");
  // No inline script anywhere in the page: every <script> has a src.
  EXPECT_FALSE(std::regex_search(response.body, std::regex("<script(?![^>]*src=)")));
  EXPECT_NE(response.body.find("<h1>Overview</h1>"), std::string::npos);
}

TEST_F(ConsoleHttpTest, AssetsAreServedFromTheBinaryWithoutCredentials) {
  const auto htmx = Fetch(port_, "GET", "/assets/htmx.min.js");
  EXPECT_EQ(htmx.status, 200);
  EXPECT_EQ(htmx.Header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_NE(htmx.body.find("htmx"), std::string::npos);
  EXPECT_GT(htmx.body.size(), 10000u);
  EXPECT_EQ(Fetch(port_, "GET", "/assets/uPlot.iife.min.js").status, 200);
  EXPECT_EQ(Fetch(port_, "GET", "/assets/../main.cc").status, 404);
}

TEST_F(ConsoleHttpTest, TheLoginFormOpensAnHttpOnlyStrictSessionKeptInPostgres) {
  const auto wrong = Fetch(port_, "POST", "/login", {}, "user=admin&password=wrong");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_NE(wrong.body.find("Wrong user or password."), std::string::npos);
  EXPECT_EQ(wrong.Header("set-cookie"), "");

  const auto login = Fetch(port_, "POST", "/login", {}, "user=admin&password=s3cret-pass");
  ASSERT_EQ(login.status, 303) << login.body;
  EXPECT_EQ(login.Header("location"), "/");
  const std::string cookie = login.Header("set-cookie");
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos) << cookie;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(cookie, m, std::regex("lokahi_session=([0-9a-f]{64})")));
  const std::string token = m[1];
  // Only a hash of the token is stored.
  EXPECT_EQ(Count("SELECT count(*) FROM console_sessions"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM console_sessions WHERE token_sha256 = '" + token + "'"), 0);

  const auto page = Fetch(port_, "GET", "/", {"Cookie: lokahi_session=" + token});
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("Log out"), std::string::npos);
  const std::string csrf = CsrfOf(page.body);
  ASSERT_FALSE(csrf.empty());

  // Logging out needs the form's token, then forgets the session.
  EXPECT_EQ(Fetch(port_, "POST", "/logout", {"Cookie: lokahi_session=" + token}, "").status, 403);
  EXPECT_EQ(
      Fetch(port_, "POST", "/logout", {"Cookie: lokahi_session=" + token}, "csrf=" + csrf).status,
      303);
  EXPECT_EQ(Fetch(port_, "GET", "/", {"Cookie: lokahi_session=" + token}).status, 401);
  EXPECT_EQ(Count("SELECT count(*) FROM console_sessions"), 0);
}

TEST_F(ConsoleHttpTest, AFormPostedWithoutItsCsrfTokenChangesNothing) {
  const std::string body = "url=http%3A%2F%2F127.0.0.1%3A9%2Fhealth&every=60" + kHook;
  const auto forged = Fetch(port_, "POST", "/checks/new", {Basic()}, body);
  EXPECT_EQ(forged.status, 403);
  const auto wrong = Fetch(port_, "POST", "/checks/new", {Basic()}, body + "&csrf=0123abcd");
  EXPECT_EQ(wrong.status, 403);
  EXPECT_EQ(Count("SELECT count(*) FROM checks"), 0);

  const std::string csrf = CsrfOf(Fetch(port_, "GET", "/checks/new", {Basic()}).body);
  ASSERT_FALSE(csrf.empty());
  const auto created = Fetch(port_, "POST", "/checks/new", {Basic()}, body + "&csrf=" + csrf);
  EXPECT_EQ(created.status, 303) << created.body;
  EXPECT_TRUE(created.Header("location").starts_with("/checks/"));
  EXPECT_EQ(Count("SELECT count(*) FROM checks"), 1);
}

TEST_F(ConsoleHttpTest, TheApisValidationMessageIsShownAtItsFieldEscaped) {
  const std::string csrf = CsrfOf(Fetch(port_, "GET", "/checks/new", {Basic()}).body);
  const auto few = Fetch(port_, "POST", "/checks/new", {Basic()},
                         "url=http%3A%2F%2F127.0.0.1%3A9%2F&every=5&csrf=" + csrf + kHook);
  EXPECT_EQ(few.status, 400);
  EXPECT_TRUE(
      std::regex_search(few.body, std::regex("id=\"error-every\">every must be between 10 and "
                                             "86400 seconds, got 5")))
      << few.body;

  // A URL carrying markup comes back in the refusal's message as text.
  const auto hostile =
      Fetch(port_, "POST", "/checks/new", {Basic()},
            "url=javascript%3A%3Cscript%3Ealert(1)%3C%2Fscript%3E&csrf=" + csrf + kHook);
  EXPECT_EQ(hostile.status, 400);
  EXPECT_EQ(hostile.body.find("<script>alert(1)"), std::string::npos) << hostile.body;
  EXPECT_NE(hostile.body.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos)
      << hostile.body;
  EXPECT_TRUE(std::regex_search(hostile.body, std::regex("id=\"error-url\">url ")));
  EXPECT_EQ(Count("SELECT count(*) FROM checks"), 0);
}

TEST_F(ConsoleHttpTest, ACheckPageShowsWhatWasStoredEscapedAndEditsKeepValidation) {
  const std::string csrf = CsrfOf(Fetch(port_, "GET", "/checks/new", {Basic()}).body);
  const auto created = Fetch(port_, "POST", "/checks/new", {Basic()},
                             "url=http%3A%2F%2F127.0.0.1%3A9%2F%3Fq%3D%22%3E%3Cimg%2Fsrc%3Dx%"
                             "2Fonerror%3Dalert(1)%3E"
                             "&playbook_url=http%3A%2F%2F127.0.0.1%2F%3Cb%3E&csrf=" +
                                 csrf + kHook);
  ASSERT_EQ(created.status, 303) << created.body;
  const std::string location = created.Header("location");
  const std::string path = location.substr(0, location.find('?'));
  const auto page = Fetch(port_, "GET", location, {Basic()});
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.body.find("<img"), std::string::npos);
  EXPECT_EQ(page.body.find("<b>"), std::string::npos);
  EXPECT_NE(page.body.find("Check created."), std::string::npos);
  EXPECT_NE(page.body.find("<svg class=\"bars\""), std::string::npos);
  EXPECT_NE(page.body.find("id=\"latency-chart\""), std::string::npos);

  const auto edit = Fetch(port_, "GET", path + "/edit", {Basic()});
  ASSERT_EQ(edit.status, 200);
  EXPECT_EQ(edit.body.find("<img"), std::string::npos);
  const auto refused =
      Fetch(port_, "POST", path + "/edit", {Basic()},
            "url=http%3A%2F%2F127.0.0.1%3A9%2F&timeout_ms=999999&csrf=" + csrf + kHook);
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("id=\"error-timeout_ms\">timeout_ms must be"), std::string::npos)
      << refused.body;
  const auto saved = Fetch(port_, "POST", path + "/edit", {Basic()},
                           "url=http%3A%2F%2F127.0.0.1%3A9%2Fok&every=120&csrf=" + csrf + kHook);
  EXPECT_EQ(saved.status, 303) << saved.body;
  EXPECT_EQ(Count("SELECT count(*) FROM checks WHERE every_seconds = 120 AND url = "
                  "'http://127.0.0.1:9/ok'"),
            1);

  const auto deleted = Fetch(port_, "POST", path + "/delete", {Basic()}, "csrf=" + csrf);
  EXPECT_EQ(deleted.status, 303);
  EXPECT_EQ(Count("SELECT count(*) FROM checks"), 0);
  EXPECT_EQ(Fetch(port_, "GET", path, {Basic()}).status, 404);
}

// The checks list converts its URL's filters to List's (search, state, label selector) and pages
// with List's token, which keeps the filters.
TEST_F(ConsoleHttpTest, TheChecksListSearchesFiltersAndPagesThroughListsFilters) {
  {
    pqxx::connection db(database_url_);
    pqxx::work txn(db);
    // 60 of team a (svc-00..svc-59, the first 3 DOWN, svc-01 and svc-07 paused), 5 of team b.
    txn.exec0(
        "INSERT INTO checks (url, webhook_url, every_seconds, timeout_ms, name, labels, enabled,"
        " created_at) SELECT 'http://127.0.0.1:9/' || g, 'http://127.0.0.1:9/h', 60, 1000,"
        " CASE WHEN g < 60 THEN 'svc-' || lpad(g::text, 2, '0') ELSE 'other-' || g END,"
        " CASE WHEN g < 60 THEN '{\"team\":\"a\"}' ELSE '{\"team\":\"b\"}' END::jsonb,"
        " g NOT IN (1, 7),"
        " now() + g * interval '1 millisecond' FROM generate_series(0, 64) g");
    txn.exec0(
        "INSERT INTO check_states (check_id, state, state_changed_at)"
        " SELECT id, CASE WHEN name IN ('svc-00', 'svc-01', 'svc-02') THEN 2 ELSE 1 END, now()"
        " FROM checks");
    txn.commit();
  }
  const auto rows = [](const std::string& body) {
    const std::regex row("<tr data-check=");
    return std::distance(std::sregex_iterator(body.begin(), body.end(), row),
                         std::sregex_iterator());
  };
  const auto team_b = Fetch(port_, "GET", "/checks?selector=team%3Db", {Basic()});
  ASSERT_EQ(team_b.status, 200) << team_b.body;
  EXPECT_EQ(rows(team_b.body), 5);
  EXPECT_EQ(team_b.body.find("svc-"), std::string::npos);
  EXPECT_NE(team_b.body.find("<td class=\"labels\">team=b</td>"), std::string::npos);
  EXPECT_NE(team_b.body.find("value=\"team=b\""), std::string::npos);  // the form keeps it

  const auto search = Fetch(port_, "GET", "/checks?q=svc-0", {Basic()});
  EXPECT_EQ(rows(search.body), 10);
  EXPECT_TRUE(std::regex_search(search.body, std::regex("svc-07</a>.*?</td><td class=\"labels\"")));
  EXPECT_NE(search.body.find("<span class=\"paused\">paused</span>"), std::string::npos);

  const auto down = Fetch(port_, "GET", "/checks?state=DOWN&selector=team%3Da", {Basic()});
  EXPECT_EQ(rows(down.body), 3);
  EXPECT_NE(down.body.find("<option value=\"DOWN\" selected>"), std::string::npos);

  // 60 of team a: a full first page, then the rest through the token, still only team a.
  const auto first = Fetch(port_, "GET", "/checks?selector=team%3Da", {Basic()});
  EXPECT_EQ(rows(first.body), 50);
  std::smatch next;
  ASSERT_TRUE(std::regex_search(first.body, next,
                                std::regex("rel=\"next\" href=\"(/checks\\?selector=team%3Da&amp;"
                                           "after=[^\"]+)\"")))
      << first.body;
  const std::string href = std::regex_replace(next[1].str(), std::regex("&amp;"), "&");
  const auto second = Fetch(port_, "GET", href, {Basic()});
  EXPECT_EQ(rows(second.body), 10);
  EXPECT_EQ(second.body.find("other-"), std::string::npos);

  // Sorted: by name across both pages (each check once), failing first, latest change first.
  const auto names = [](const std::string& body) {
    std::vector<std::string> found;
    const std::regex name(">((?:svc|other)-[0-9]+)</a>");
    for (auto it = std::sregex_iterator(body.begin(), body.end(), name);
         it != std::sregex_iterator(); ++it) {
      found.push_back((*it)[1]);
    }
    return found;
  };
  const auto by_name = Fetch(port_, "GET", "/checks?sort=name", {Basic()});
  ASSERT_EQ(by_name.status, 200) << by_name.body;
  auto listed = names(by_name.body);
  ASSERT_EQ(listed.size(), 50u);
  std::smatch more;
  ASSERT_TRUE(std::regex_search(by_name.body, more,
                                std::regex("rel=\"next\" href=\"(/checks\\?sort=name&amp;"
                                           "after=[^\"]+)\"")));
  const auto rest = names(
      Fetch(port_, "GET", std::regex_replace(more[1].str(), std::regex("&amp;"), "&"), {Basic()})
          .body);
  listed.insert(listed.end(), rest.begin(), rest.end());
  ASSERT_EQ(listed.size(), 65u);
  EXPECT_TRUE(std::is_sorted(listed.begin(), listed.end()));
  EXPECT_EQ(std::set<std::string>(listed.begin(), listed.end()).size(), 65u);
  EXPECT_EQ(listed.front(), "other-60");
  const auto failing_first = names(Fetch(port_, "GET", "/checks?sort=state", {Basic()}).body);
  ASSERT_GE(failing_first.size(), 3u);
  EXPECT_EQ(std::set<std::string>(failing_first.begin(), failing_first.begin() + 3),
            (std::set<std::string>{"svc-00", "svc-01", "svc-02"}));
  {
    pqxx::connection db(database_url_);
    pqxx::work txn(db);
    txn.exec0(
        "UPDATE check_states SET state_changed_at = now() + interval '1 minute' WHERE check_id ="
        " (SELECT id FROM checks WHERE name = 'svc-42')");
    txn.commit();
  }
  EXPECT_EQ(names(Fetch(port_, "GET", "/checks?sort=since", {Basic()}).body).front(), "svc-42");

  // The overview's failing checks show their labels and whether they are paused.
  const auto overview = Fetch(port_, "GET", "/", {Basic()});
  EXPECT_TRUE(std::regex_search(overview.body,
                                std::regex("svc-01</a> <span class=\"paused\">paused</span> <small "
                                           "class=\"labels\">team=a</small>")))
      << overview.body;

  // List's own refusal, escaped, at the form.
  const auto bad = Fetch(port_, "GET", "/checks?selector=%3Cb%3E%3D%3D", {Basic()});
  EXPECT_EQ(bad.status, 400);
  EXPECT_TRUE(std::regex_search(bad.body, std::regex("class=\"field-error\" role=\"alert\">[^<]*"
                                                     "&lt;b&gt;")))
      << bad.body;
}

}  // namespace
}  // namespace lokahi
