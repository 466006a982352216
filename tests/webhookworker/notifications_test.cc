// The real webhookworker delivering the generic notifications outbox (push alerts and other
// notices) against a real Postgres, nats-server and HTTP receiver on 127.0.0.1: as check webhooks
// are delivered - signed, the same webhook-id on every retry, in order per ordering key.

#include <gtest/gtest.h>
#include <httplib.h>

#include <map>
#include <pqxx/pqxx>

#include "lib/auth/base64.h"
#include "lib/store/pg_notifications.h"
#include "lib/webhook/signature.h"
#include "tests/lib/webhook/outbox_rows.h"
#include "tests/lib/webhook/receiver.h"
#include "tests/support/daemon.h"
#include "tests/support/ports.h"
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

  std::unique_ptr<lokahi::testing::ChildProcess> StartWorker(
      const std::map<std::string, std::string>& extra = {}) {
    std::map<std::string, std::string> env = {{"DATABASE_URL", database_url_},
                                                            {"NATS_URL", Services().nats.Url()},
                                                            {"LOKAHI_WEBHOOK_SECRET", secret_},
                                                            {"LOKAHI_WEBHOOK_TIMEOUT_MS", "3000"},
                                                            {"LOKAHI_SWEEP_INTERVAL_MS", "200"}};
    env.insert(extra.begin(), extra.end());
    auto worker = lokahi::testing::StartDaemon("webhookworker/webhookworker", env);
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

// An abandoned notification (410 Gone, or retries exhausted by the deadline) is visible to the
// operator: counted by reason on /metrics and logged once at warning level, naming it; the key's
// next notification proceeds.
TEST_F(NotificationsTest, AbandonedNotificationsAreCountedAndLoggedAndTheKeyProceeds) {
  Receiver receiver([](const ReceivedRequest& r) {
    if (r.body == "first") return Answer(410);
    return r.body == "late" ? Answer(503) : Answer(200);
  });
  const auto ids = Enqueue({{"k", "first"}, {"k", "second"}, {"l", "late"}}, receiver.Url());
  {
    pqxx::connection connection(database_url_);
    pqxx::work txn(connection);
    txn.exec_params("UPDATE notifications SET created_at = now() - interval '1 hour' WHERE id = $1",
                    ids[2]);
    txn.commit();
  }
  const int metrics_port = lokahi::testing::FreePortBelowEphemeral();
  auto worker = StartWorker(
      {{"LOKAHI_WEBHOOK_DEADLINE", "60"}, {"LOKAHI_METRICS_PORT", std::to_string(metrics_port)}});
  ASSERT_TRUE(
      WaitFor([&] { return DeliveryState(ids[1]) == 1 && DeliveryState(ids[2]) == 2; }, 30s))
      << worker->Log();
  EXPECT_EQ(DeliveryState(ids[0]), 2);
  const auto log = worker->Log();
  EXPECT_NE(log.find("level=warn component=webhookworker event=notification_abandoned "
                     "notification_id=" +
                     std::to_string(ids[0]) + " webhook_id=nt_" + std::to_string(ids[0])),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("reason=gone"), std::string::npos) << log;
  EXPECT_NE(log.find("reason=deadline"), std::string::npos) << log;
  EXPECT_EQ(log.find("event=notification_failed"), std::string::npos) << log;  // was an error
  httplib::Client client("127.0.0.1", metrics_port);
  client.set_read_timeout(5);
  const auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("lokahi_notifications_abandoned_total{reason=\"gone\"} 1"),
            std::string::npos)
      << metrics->body;
  EXPECT_NE(metrics->body.find("lokahi_notifications_abandoned_total{reason=\"deadline\"} 1"),
            std::string::npos)
      << metrics->body;
}

}  // namespace
}  // namespace lokahi::webhookworker
