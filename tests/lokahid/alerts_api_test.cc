// The Alerts API of a real lokahid (gRPC, Twirp and purple's POST /events) over a real Postgres:
// what a submitter and an operator see, and that a refused submission stores nothing.

#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "alerts.grpc.pb.h"
#include "lib/auth/basic_auth.h"
#include "tests/support/daemon.h"
#include "tests/support/http_client.h"
#include "tests/support/lokahid_under_test.h"

namespace lokahi::lokahid {
namespace {

using namespace std::chrono_literals;
namespace pb = github::xe::lokahi;
using testing::CallContext;
using testing::HttpClient;
using testing::LokahidUnderTest;

const auth::Credentials kAdmin{"AzureDiamond", "hunter2"};
const auth::Credentials kHost{"host", "submit-only"};
const std::string kAlerts = "/twirp/github.xe.lokahi.Alerts/";

std::vector<std::string> Headers(const std::optional<auth::Credentials>& credentials) {
  std::vector<std::string> headers = {"Content-Type: application/json"};
  if (credentials)
    headers.push_back("Authorization: " + auth::BasicAuthorizationHeader(*credentials));
  return headers;
}

class AlertsApiTest : public ::testing::Test {
 protected:
  int64_t Rows(const std::string& table) {
    pqxx::connection c(lokahid_.database_url());
    pqxx::read_transaction txn(c);
    return txn.exec1("SELECT count(*) FROM " + table)[0].as<int64_t>();
  }

  testing::HttpAnswer PostEvents(const std::string& body,
                                 std::optional<auth::Credentials> credentials = std::nullopt,
                                 std::vector<std::string> extra = {}) {
    auto headers = Headers(credentials);
    headers.insert(headers.end(), extra.begin(), extra.end());
    return http_.Send("POST", lokahid_.Url("/events"), body, headers);
  }

  LokahidUnderTest lokahid_{{{"LOKAHI_ALERT_WEBHOOK_URL", "http://127.0.0.1:9/alerts"}}};
  HttpClient http_;
};

TEST_F(AlertsApiTest, EventsStoresAnArrayAndSourceDefaultsToTheClientAddress) {
  const auto answer = PostEvents(
      R"([{"id":"heartbeat","raise":"+5m","subject":"backup"},
          {"id":"disk","raise":1893456000,"source":"db1","importance":"urgent"}])",
      std::nullopt, {"X-Forwarded-For: 10.9.9.9"});
  ASSERT_EQ(answer.status, 200) << answer.body;
  pb::SubmitAlertsResponse stored;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(answer.body, &stored).ok());
  ASSERT_EQ(stored.alerts_size(), 2);
  // No trusted proxy: X-Forwarded-For is not believed.
  EXPECT_EQ(stored.alerts(0).source(), "127.0.0.1");
  EXPECT_EQ(stored.alerts(0).state(), pb::Alert::PENDING);
  EXPECT_EQ(stored.alerts(1).source(), "db1");
  EXPECT_EQ(stored.alerts(1).raise_at().seconds(), 1893456000);
  EXPECT_EQ(Rows("alerts"), 2);
}

TEST_F(AlertsApiTest, ABadItemRefusesTheWholeRequestNamingIndexAndField) {
  const auto answer = PostEvents(
      R"([{"id":"a","raise":"now"},{"id":"b","raise":"+5m"},{"id":"c","raise":"soon"}])");
  EXPECT_EQ(answer.status, 400);
  EXPECT_NE(answer.body.find(R"("index":2)"), std::string::npos) << answer.body;
  EXPECT_NE(answer.body.find(R"("field":"raise")"), std::string::npos) << answer.body;
  EXPECT_NE(answer.body.find("events[2].raise must be now, clear"), std::string::npos);
  const auto typed = PostEvents(R"({"id":"a","raise":"now","subject":42})");
  EXPECT_EQ(typed.status, 400);
  EXPECT_NE(typed.body.find("events[0].subject must be a string"), std::string::npos);
  EXPECT_EQ(PostEvents(R"({"id":")" + std::string(201, 'x') + R"(","raise":"now"})").status, 400);
  EXPECT_EQ(PostEvents("not json").status, 400);
  EXPECT_EQ(PostEvents("[]").status, 400);
  EXPECT_EQ(Rows("alerts"), 0);
  EXPECT_EQ(Rows("notifications"), 0);
  EXPECT_EQ(http_.Send("GET", lokahid_.Url("/events")).status, 405);
}

TEST_F(AlertsApiTest, ADueAlertRaisesWithinASecondWithOneNotification) {
  ASSERT_EQ(PostEvents(R"({"id":"cron","raise":"+1s","subject":"nightly"})").status, 200);
  auto stub = pb::Alerts::NewStub(lokahid_.channel());
  pb::AlertRef ref;
  ref.set_id("cron");
  pb::Alert alert;
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        auto context = CallContext();
        return stub->Get(context.get(), ref, &alert).ok() && alert.state() == pb::Alert::RAISED;
      },
      10s));
  const auto lag_ms = (alert.state_changed_at().seconds() - alert.raise_at().seconds()) * 1000 +
                      (alert.state_changed_at().nanos() - alert.raise_at().nanos()) / 1000000;
  EXPECT_LT(lag_ms, 1000);
  EXPECT_EQ(alert.notify_count(), 1);
  std::this_thread::sleep_for(500ms);  // later rounds must not raise it again
  EXPECT_EQ(Rows("notifications"), 1);
}

// Deliveries shows an alert's notifications, newest first, with their attempts and outcome: one
// given up (retries exhausted) is "failed" with the receiver's last answer.
TEST_F(AlertsApiTest, DeliveriesShowEachNotificationsAttemptsAndOutcome) {
  ASSERT_EQ(PostEvents(R"({"id":"backup","raise":"now","subject":"nightly"})").status, 200);
  auto stub = pb::Alerts::NewStub(lokahid_.channel());
  pb::AlertRef ref;
  ref.set_id("backup");
  ASSERT_TRUE(testing::WaitFor([&] { return Rows("notifications") == 1; }, 10s));
  pb::Alert alert;
  auto context = CallContext();
  ASSERT_TRUE(stub->Clear(context.get(), ref, &alert).ok());
  {
    pqxx::connection c(lokahid_.database_url());
    pqxx::work txn(c);
    txn.exec(
        "UPDATE notifications SET delivery_state = 2, attempts = 7, last_status_code = 503,"
        " last_error = 'receiver answered HTTP 503; given up: the delivery deadline passed'"
        " WHERE kind = 'alert.raised'");
    txn.commit();
  }
  pb::AlertDeliveriesPage page;
  context = CallContext();
  const auto status = stub->Deliveries(context.get(), ref, &page);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(page.deliveries_size(), 2);
  const auto& cleared = page.deliveries(0);
  EXPECT_EQ(cleared.kind(), pb::AlertStatus::CLEARED);
  EXPECT_EQ(cleared.outcome(), "pending");
  EXPECT_EQ(cleared.attempts(), 0);
  EXPECT_TRUE(cleared.has_next_attempt_at());
  const auto& raised = page.deliveries(1);
  EXPECT_EQ(raised.kind(), pb::AlertStatus::RAISED);
  EXPECT_EQ(raised.outcome(), "failed");
  EXPECT_EQ(raised.attempts(), 7);
  EXPECT_EQ(raised.last_status_code(), 503);
  EXPECT_EQ(raised.webhook_id(), "nt_" + std::to_string(raised.notification_id()));
  EXPECT_LT(raised.notification_id(), cleared.notification_id());

  pb::AlertDeliveriesPage over_twirp;
  ASSERT_EQ(lokahid_.Twirp(kAlerts + "Deliveries", ref, testing::kJson, &over_twirp).status, 200);
  EXPECT_EQ(over_twirp.deliveries_size(), 2);
  ref.set_id("no-such-alert");
  context = CallContext();
  EXPECT_EQ(stub->Deliveries(context.get(), ref, &page).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(AlertsApiTest, OperatorCallsOverGrpcAndTwirp) {
  auto stub = pb::Alerts::NewStub(lokahid_.channel());
  pb::SubmitAlertsRequest submit;
  for (const char* source : {"web1", "web2"}) {
    auto* s = submit.add_alerts();
    s->set_id("http-example");
    s->set_source(source);
    s->set_raise("+1h");
  }
  pb::SubmitAlertsResponse submitted;
  auto context = CallContext();
  ASSERT_TRUE(stub->Submit(context.get(), submit, &submitted).ok());

  // The id alone is ambiguous: the answer lists the sources.
  pb::AlertRef ref;
  ref.set_id("http-example");
  pb::Alert alert;
  context = CallContext();
  auto status = stub->Get(context.get(), ref, &alert);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("\"web1\", \"web2\""), std::string::npos);

  ref.set_source("web1");
  pb::AcknowledgeAlertRequest ack;
  ack.set_id("http-example");
  ack.set_source("web1");
  ack.set_for_seconds(60);
  context = CallContext();
  status = stub->Acknowledge(context.get(), ack, &alert);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("only a RAISED alert can be acknowledged"),
            std::string::npos);

  // Raise, then acknowledge it over Twirp JSON.
  context = CallContext();
  ASSERT_TRUE(stub->Raise(context.get(), ref, &alert).ok());
  EXPECT_EQ(alert.state(), pb::Alert::RAISED);
  ack.set_note("on it");
  pb::Alert acked;
  auto answer = lokahid_.Twirp(kAlerts + "Acknowledge", ack, testing::kJson, &acked);
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(acked.state(), pb::Alert::ACKNOWLEDGED);
  EXPECT_EQ(acked.ack_note(), "on it");

  pb::ListAlertsRequest list;
  list.set_state(pb::Alert::ACKNOWLEDGED);
  pb::AlertsPage page;
  ASSERT_EQ(lokahid_.Twirp(kAlerts + "List", list, testing::kProtobuf, &page).status, 200);
  ASSERT_EQ(page.alerts_size(), 1);
  EXPECT_EQ(page.alerts(0).source(), "web1");
  pb::ListAlertsRequest paged;
  paged.set_count(1);
  ASSERT_EQ(lokahid_.Twirp(kAlerts + "List", paged, testing::kJson, &page).status, 200);
  ASSERT_FALSE(page.next_page_token().empty());
  paged.set_page_token(page.next_page_token());
  ASSERT_EQ(lokahid_.Twirp(kAlerts + "List", paged, testing::kJson, &page).status, 200);
  ASSERT_EQ(page.alerts_size(), 1);
  EXPECT_EQ(page.alerts(0).source(), "web2");
  EXPECT_TRUE(page.next_page_token().empty());

  context = CallContext();
  ASSERT_TRUE(stub->Clear(context.get(), ref, &alert).ok());
  EXPECT_EQ(alert.state(), pb::Alert::CLEARED);
  // raised, acknowledged, cleared
  EXPECT_EQ(Rows("notifications"), 3);
}

TEST(AlertsCredentialsTest, SubmitOnlyCredentialsMaySubmitAndNothingElse) {
  LokahidUnderTest lokahid({{"USERPASS", "AzureDiamond:hunter2"},
                            {"LOKAHI_SUBMIT_USERPASS", "host:submit-only"},
                            {"LOKAHI_EVENTS_MAX_BODY", "4096"}});
  HttpClient http;
  const auto events = lokahid.Url("/events");
  const std::string body = R"({"id":"hb","raise":"+5m"})";
  EXPECT_EQ(http.Send("POST", events, body, Headers(std::nullopt)).status, 401);
  EXPECT_EQ(http.Send("POST", events, body, Headers(kHost)).status, 200);
  const auto aimed =
      http.Send("POST", events, R"({"id":"hb","raise":"+5m","webhook_url":"http://10.0.0.1/"})",
                Headers(kHost));
  EXPECT_EQ(aimed.status, 403);
  EXPECT_NE(aimed.body.find("only admin credentials"), std::string::npos) << aimed.body;
  EXPECT_EQ(
      http.Send("POST", events, R"({"id":"hb","raise":"+5m","webhook_url":"http://10.0.0.1/"})",
                Headers(kAdmin))
          .status,
      200);
  EXPECT_EQ(http.Send("POST", events, "[" + std::string(5000, ' ') + "]", Headers(kAdmin)).status,
            413);

  pb::ListAlertsRequest list;
  pb::AlertsPage page;
  auto answer = lokahid.Twirp(kAlerts + "List", list, testing::kJson, &page, kHost);
  EXPECT_EQ(answer.status, 403);
  answer = lokahid.Twirp(kAlerts + "List", list, testing::kJson, &page, kAdmin);
  ASSERT_EQ(answer.status, 200);
  ASSERT_EQ(page.alerts_size(), 1);
  EXPECT_EQ(page.alerts(0).webhook_url(), "http://10.0.0.1/");
  // The host's heartbeat keeps the URL the admin set.
  EXPECT_EQ(http.Send("POST", events, body, Headers(kHost)).status, 200);
  answer = lokahid.Twirp(kAlerts + "List", list, testing::kJson, &page, kAdmin);
  EXPECT_EQ(page.alerts(0).webhook_url(), "http://10.0.0.1/");
}

}  // namespace
}  // namespace lokahi::lokahid
