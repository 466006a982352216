// The real webhookworker delivering the generic notifications outbox (push alerts and other
// notices) against a real Postgres, nats-server and HTTP receiver on 127.0.0.1: as check webhooks
// are delivered - signed, the same webhook-id on every retry, in order per ordering key.

#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "lib/auth/base64.h"
#include "lib/store/pg_notifications.h"
#include "lib/webhook/signature.h"
#include "tests/lib/webhook/outbox_rows.h"
#include "tests/lib/webhook/receiver.h"
#include "tests/support/daemon.h"
#include "tests/support/shared_services.h"

namespace lokahi::webhookworker {
namespace {

using namespace std::chrono_literals;
using lokahi::testing::Services;
using lokahi::testing::WaitFor;
using webhook::testing::Answer;
using webhook::testing::ReceivedRequest;
using webhook::testing::Receiver;

class NotificationsTest : public ::testing::Test {
 protected:
  void SetUp() override { database_url_ = webhook::testrows::NewMigratedDatabase(); }

  std::unique_ptr<lokahi::testing::ChildProcess> StartWorker() {
    auto worker = lokahi::testing::StartDaemon("webhookworker/webhookworker",
                                               {{"DATABASE_URL", database_url_},
                                                {"NATS_URL", Services().nats.Url()},
                                                {"LOKAHI_WEBHOOK_SECRET", secret_},
                                                {"LOKAHI_WEBHOOK_TIMEOUT_MS", "3000"},
                                                {"LOKAHI_SWEEP_INTERVAL_MS", "200"}});
    EXPECT_TRUE(
        WaitFor([&] { return worker->Log().find("event=started") != std::string::npos; }, 30s))
        << worker->Log();
    return worker;
  }

  std::vector<int64_t> Enqueue(const std::vector<std::pair<std::string, std::string>>& key_bodies,
                               const std::string& url) {
    pqxx::connection connection(database_url_);
    pqxx::work txn(connection);
    std::vector<store::OutgoingNotification> notices;
    for (const auto& [key, body] : key_bodies) {
      store::OutgoingNotification n;
      n.kind = "test.notice";
      n.ordering_key = key;
      n.webhook_url = url;
      n.content_type = "application/json";
      n.body = body;
      notices.push_back(n);
    }
    auto ids = store::EnqueueNotifications(txn, notices);
    txn.commit();
    return ids;
  }

  int DeliveryState(int64_t id) {
    pqxx::connection connection(database_url_);
    pqxx::read_transaction txn(connection);
    return txn.exec_params1("SELECT delivery_state FROM notifications WHERE id = $1", id)[0]
        .as<int>();
  }

  std::string database_url_;
  const std::string secret_ = "whsec_" + auth::Base64Encode("notifications signing key");
};

TEST_F(NotificationsTest, DeliveredSignedInOrderPerKeyWithOneIdAcrossRetries) {
  std::atomic<int> seen_first{0};
  // The first notification of key "a" fails twice before it is taken.
  Receiver receiver([&](const ReceivedRequest& r) {
    if (r.body == R"({"n":"a1"})" && seen_first.fetch_add(1) < 2) return Answer(503);
    return Answer(200);
  });
  const auto ids = Enqueue({{"a", R"({"n":"a1"})"}, {"a", R"({"n":"a2"})"}, {"b", R"({"n":"b1"})"}},
                           receiver.Url("/alerts"));
  auto worker = StartWorker();
  ASSERT_TRUE(WaitFor([&] { return receiver.DeliveredCounts().size() == 3; }, 30s))
      << worker->Log();

  const auto key = webhook::SigningKey::Parse(secret_);
  std::vector<std::string> a_order;
  for (const auto& r : receiver.Requests()) {
    EXPECT_EQ(r.content_type, "application/json");
    EXPECT_EQ(r.path, "/alerts");
    EXPECT_EQ(
        r.webhook_signature,
        webhook::SignatureHeader(*key, r.webhook_id, std::stoll(r.webhook_timestamp), r.body));
    if (r.body.find("\"a") != std::string::npos) a_order.push_back(r.webhook_id);
  }
  const std::string a1 = "nt_" + std::to_string(ids[0]), a2 = "nt_" + std::to_string(ids[1]);
  // Three attempts of a1 under one id, and only then a2.
  EXPECT_EQ(a_order, (std::vector<std::string>{a1, a1, a1, a2}));
  EXPECT_EQ(receiver.DeliveredCounts().at("nt_" + std::to_string(ids[2])), 1);
  EXPECT_TRUE(WaitFor([&] { return DeliveryState(ids[1]) == 1; }, 10s));
}

TEST_F(NotificationsTest, GoneGivesUpAndTheKeysNextNotificationProceeds) {
  Receiver receiver(
      [](const ReceivedRequest& r) { return r.body == "first" ? Answer(410) : Answer(200); });
  const auto ids = Enqueue({{"k", "first"}, {"k", "second"}}, receiver.Url());
  auto worker = StartWorker();
  ASSERT_TRUE(WaitFor([&] { return DeliveryState(ids[1]) == 1; }, 30s)) << worker->Log();
  EXPECT_EQ(DeliveryState(ids[0]), 2);
  EXPECT_NE(worker->Log().find("event=notification_failed"), std::string::npos);
}

}  // namespace
}  // namespace lokahi::webhookworker
