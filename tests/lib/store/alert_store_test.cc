// PgAlertStore and the notifications outbox against a real Postgres: every decided notification is
// queued exactly once, in order per alert, however many schedulers race.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "lib/postgres/migrator.h"
#include "lib/store/pg_alert_store.h"
#include "lib/store/pg_notifications.h"
#include "lib/store/schema.h"
#include "tests/support/shared_services.h"

namespace lokahi::store {
namespace {

using std::chrono::seconds;

const alerts::Timestamp kT0 = alerts::Timestamp(seconds(1'800'000'000));
constexpr auto kRepeat = std::chrono::seconds(3600);

// Bodies name the kind and the alert, so tests read what was queued.
std::optional<OutgoingNotification> TestNotice(const alerts::Change& change, int64_t id,
                                               alerts::Timestamp) {
  OutgoingNotification notice;
  notice.id = id;
  notice.kind = "alert." + std::string(alerts::NotificationKindName(*change.notify));
  notice.ordering_key = "alert:" + change.after.key.source + "/" + change.after.key.id;
  notice.webhook_url = "http://127.0.0.1:9/hook";
  notice.content_type = "application/json";
  notice.body = std::string(alerts::NotificationKindName(*change.notify)) + " " +
                change.after.key.id + " " + std::to_string(change.after.notify_count);
  return notice;
}

alerts::ResolvedSubmission Heartbeat(const std::string& id, alerts::RaiseSpec raise) {
  alerts::ResolvedSubmission s;
  s.key = {"10.0.0.7", id};
  s.subject = "subject of " + id;
  s.raise = raise;
  return s;
}

class AlertStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = testing::Services().postgres.NewDatabase();
    pool_ = std::make_unique<postgres::ConnectionPool>(url_, 4);
    auto c = pool_->Acquire();
    postgres::Migrate(*c, SchemaMigrations());
  }

  // Queued notification bodies, in id order.
  std::vector<std::string> Queued() {
    auto c = pool_->Acquire();
    pqxx::read_transaction txn(*c);
    std::vector<std::string> bodies;
    for (const auto& row : txn.exec("SELECT convert_from(body, 'UTF8') FROM notifications"
                                    " ORDER BY id")) {
      bodies.push_back(row[0].as<std::string>());
    }
    return bodies;
  }

  std::string url_;
  std::unique_ptr<postgres::ConnectionPool> pool_;
};

TEST_F(AlertStoreTest, AHeartbeatThatStopsRaisesOnceAndRecovers) {
  PgAlertStore store(*pool_, TestNotice);
  store.Submit({Heartbeat("hb", kT0 + seconds(3))}, kT0);
  store.Submit({Heartbeat("hb", kT0 + seconds(4))}, kT0 + seconds(1));
  EXPECT_EQ(store.RunDue(kT0 + seconds(3), kRepeat, 100).changed, 0);
  const auto tick = store.RunDue(kT0 + seconds(4) + std::chrono::milliseconds(200), kRepeat, 100);
  EXPECT_EQ(tick.changed, 1);
  ASSERT_EQ(tick.raise_lags.size(), 1u);
  EXPECT_EQ(tick.raise_lags[0], std::chrono::milliseconds(200));
  EXPECT_EQ(store.RunDue(kT0 + seconds(5), kRepeat, 100).changed, 0);
  EXPECT_EQ(store.Get({"10.0.0.7", "hb"})->state, alerts::State::kRaised);

  const auto resumed = store.Submit({Heartbeat("hb", kT0 + seconds(9))}, kT0 + seconds(6));
  EXPECT_EQ(resumed.notifications, 1);
  EXPECT_EQ(resumed.alerts[0].state, alerts::State::kPending);
  EXPECT_EQ(Queued(), (std::vector<std::string>{"raised hb 1", "recovered hb 1"}));
}

TEST_F(AlertStoreTest, ABatchAppliesInOrderEvenForOneKeyTwice) {
  PgAlertStore store(*pool_, TestNotice);
  store.Submit({Heartbeat("a", kT0)}, kT0);
  store.RunDue(kT0, kRepeat, 100);
  const auto applied =
      store.Submit({Heartbeat("a", kT0 + seconds(60)), Heartbeat("b", kT0 + seconds(60)),
                    Heartbeat("a", alerts::ClearNow{})},
                   kT0 + seconds(1));
  ASSERT_EQ(applied.alerts.size(), 3u);
  EXPECT_EQ(applied.alerts[0].state, alerts::State::kPending);
  EXPECT_EQ(applied.alerts[2].state, alerts::State::kCleared);
  EXPECT_EQ(store.Get({"10.0.0.7", "a"})->state, alerts::State::kCleared);
  EXPECT_EQ(store.Get({"10.0.0.7", "b"})->subject, "subject of b");
  // The first submission recovered it; the pending one then cleared silently.
  EXPECT_EQ(Queued(), (std::vector<std::string>{"raised a 1", "recovered a 1"}));
}

TEST_F(AlertStoreTest, RacingSchedulersQueueEachNotificationOnce) {
  PgAlertStore store(*pool_, TestNotice);
  std::vector<alerts::ResolvedSubmission> batch;
  for (int i = 0; i < 300; ++i) batch.push_back(Heartbeat("hb" + std::to_string(i), kT0));
  store.Submit(batch, kT0);
  std::atomic<int> changed{0};
  std::vector<std::thread> schedulers;
  for (int t = 0; t < 3; ++t) {
    schedulers.emplace_back([&] {
      for (int round = 0; round < 20; ++round) {
        changed += store.RunDue(kT0 + seconds(1), kRepeat, 50).changed;
      }
    });
  }
  for (auto& thread : schedulers) thread.join();
  EXPECT_EQ(changed.load(), 300);
  EXPECT_EQ(Queued().size(), 300u);
}

TEST_F(AlertStoreTest, AckExpiresIntoOneReminderAndRemindersCount) {
  PgAlertStore store(*pool_, TestNotice);
  store.Submit({Heartbeat("hb", kT0)}, kT0);
  store.RunDue(kT0, kRepeat, 100);
  const auto acked = store.Mutate(
      {"10.0.0.7", "hb"},
      [&](const alerts::Alert& a) {
        return alerts::Acknowledge(a, kT0 + seconds(1), seconds(5), "ops", "on it");
      },
      kT0 + seconds(1));
  ASSERT_TRUE(acked.change);
  EXPECT_EQ(acked.change->after.acknowledged_by, "ops");
  EXPECT_EQ(store.RunDue(kT0 + seconds(5), kRepeat, 100).changed, 0);
  EXPECT_EQ(store.RunDue(kT0 + seconds(6), kRepeat, 100).changed, 1);
  EXPECT_EQ(store.RunDue(kT0 + seconds(7), kRepeat, 100).changed, 0);
  EXPECT_EQ(store.RunDue(kT0 + seconds(6) + kRepeat, kRepeat, 100).changed, 1);
  EXPECT_EQ(Queued(), (std::vector<std::string>{"raised hb 1", "acknowledged hb 1", "reminder hb 2",
                                                "reminder hb 3"}));
  const auto refused = store.Mutate(
      {"10.0.0.7", "nope"}, [](const alerts::Alert& a) { return alerts::Clear(a, kT0); }, kT0);
  EXPECT_FALSE(refused.change);
}

TEST_F(AlertStoreTest, ListFiltersAndPages) {
  PgAlertStore store(*pool_, TestNotice);
  std::vector<alerts::ResolvedSubmission> batch;
  for (int i = 0; i < 5; ++i) batch.push_back(Heartbeat("disk-" + std::to_string(i), kT0));
  batch.push_back(Heartbeat("backup", kT0 + seconds(60)));
  store.Submit(batch, kT0);
  store.RunDue(kT0, kRepeat, 100);
  auto page = store.List({alerts::State::kRaised, "", "disk-"}, 3, std::nullopt);
  ASSERT_EQ(page.alerts.size(), 3u);
  EXPECT_TRUE(page.more);
  page = store.List({alerts::State::kRaised, "", "disk-"}, 3, page.alerts.back().key);
  ASSERT_EQ(page.alerts.size(), 2u);
  EXPECT_FALSE(page.more);
  EXPECT_EQ(page.alerts[1].key.id, "disk-4");
  EXPECT_EQ(store.List({alerts::State::kPending, "", ""}, 10, std::nullopt).alerts.size(), 1u);
  // A prefix is literal: LIKE's wildcards in it match only themselves.
  EXPECT_TRUE(store.List({std::nullopt, "", "disk_"}, 10, std::nullopt).alerts.empty());
  EXPECT_TRUE(store.List({std::nullopt, "", "%"}, 10, std::nullopt).alerts.empty());
  EXPECT_EQ(store.List({std::nullopt, "10.0.0.7", "disk-"}, 10, std::nullopt).alerts.size(), 5u);
  EXPECT_TRUE(store.List({std::nullopt, "10.0.0.8", ""}, 10, std::nullopt).alerts.empty());
  EXPECT_EQ(store.SourcesOf("backup", 10), std::vector<std::string>{"10.0.0.7"});
}

TEST_F(AlertStoreTest, ClearedAlertsArePrunedAfterRetention) {
  PgAlertStore store(*pool_, TestNotice);
  store.Submit({Heartbeat("old", alerts::ClearNow{})}, kT0);
  store.Submit({Heartbeat("new", alerts::ClearNow{})}, kT0 + seconds(100));
  store.Submit({Heartbeat("pending", kT0 + seconds(1000))}, kT0);
  EXPECT_EQ(store.PruneCleared(kT0 + seconds(50)), 1);
  EXPECT_FALSE(store.Get({"10.0.0.7", "old"}));
  EXPECT_TRUE(store.Get({"10.0.0.7", "new"}));
  EXPECT_TRUE(store.Get({"10.0.0.7", "pending"}));
}

// The one-statement heartbeat path writes exactly what alerts::ApplySubmission decides, for a
// new alert and for a PENDING one, with and without the optional fields.
TEST_F(AlertStoreTest, TheHeartbeatPathStoresWhatTheTransitionsDecide) {
  PgAlertStore store(*pool_, TestNotice);
  auto given = Heartbeat("full", kT0 + seconds(60));
  given.webhook_url = "http://127.0.0.1:9/first";
  given.webhook_format = checks::WebhookFormat::kProtobuf;
  given.suppress_until = kT0 + seconds(30);
  given.importance = alerts::Importance::kUrgent;
  const auto bare = Heartbeat("bare", kT0 + seconds(60));
  for (const auto& first : {given, bare}) {
    const auto expected = alerts::ApplySubmission(std::nullopt, first, kT0).after;
    EXPECT_EQ(store.Submit({first}, kT0).alerts.at(0), expected) << first.key.id;
    EXPECT_EQ(store.Get(first.key), expected) << first.key.id;
  }
  // Heartbeats that give nothing optional keep what is stored; given ones replace it.
  auto second = Heartbeat("full", kT0 + seconds(90));
  auto replacing = Heartbeat("bare", kT0 + seconds(95));
  replacing.webhook_url = "http://127.0.0.1:9/second";
  replacing.suppress_until = kT0 + seconds(40);
  std::vector<alerts::Alert> expected;
  for (const auto& s : {second, replacing}) {
    expected.push_back(alerts::ApplySubmission(store.Get(s.key), s, kT0 + seconds(7)).after);
  }
  const auto applied = store.Submit({second, replacing}, kT0 + seconds(7));
  EXPECT_EQ(applied.alerts, expected);
  EXPECT_EQ(store.Get(second.key), expected[0]);
  EXPECT_EQ(store.Get(replacing.key), expected[1]);
  EXPECT_EQ(applied.notifications, 0);
  EXPECT_TRUE(Queued().empty());
}

// Transaction id that last wrote the alert.
std::string WriterOf(pqxx::connection& c, const std::string& id) {
  pqxx::read_transaction txn(c);
  return txn.exec_params1("SELECT xmin::text FROM alerts WHERE id = $1", id)[0].as<std::string>();
}

// Submit calls arriving while the store's transactions are busy are committed together, each
// answered with its own alerts; a batch that fails in a group fails alone.
TEST_F(AlertStoreTest, WaitingSubmissionsCommitTogetherAndFailAlone) {
  PgAlertStore store(*pool_, TestNotice, {.concurrent_submits = 1});
  store.Submit({Heartbeat("blocker", kT0 + seconds(60))}, kT0);
  auto observer = pool_->Acquire();
  // Holds the blocker's row, so the one transaction allowed waits while the others queue.
  const auto queue_behind_blocker =
      [&](std::vector<std::vector<alerts::ResolvedSubmission>> batches,
          std::vector<std::optional<PgAlertStore::Applied>>* answers, std::vector<bool>* failed) {
        auto holder = pool_->Acquire();
        pqxx::work lock(*holder);
        lock.exec("SELECT 1 FROM alerts WHERE id = 'blocker' FOR UPDATE");
        std::thread blocked([&] { store.Submit({Heartbeat("blocker", kT0 + seconds(70))}, kT0); });
        const auto blocked_in_postgres = [&] {
          pqxx::read_transaction txn(*observer);
          return txn.exec1(
                        "SELECT count(*) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND wait_event_type = 'Lock'")[0]
                     .as<int>() == 1;
        };
        for (int i = 0; i < 500 && !blocked_in_postgres(); ++i) {
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        answers->resize(batches.size());
        failed->assign(batches.size(), false);
        std::vector<std::thread> callers;
        for (size_t i = 0; i < batches.size(); ++i) {
          // One after another, so the queue holds them in this order.
          const size_t queued = store.QueuedSubmits();
          callers.emplace_back([&, i] {
            try {
              (*answers)[i] = store.Submit(batches[i], kT0 + seconds(1));
            } catch (const std::exception&) {
              (*failed)[i] = true;
            }
          });
          for (int w = 0; w < 500 && store.QueuedSubmits() == queued; ++w) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
          }
        }
        ASSERT_EQ(store.QueuedSubmits(), batches.size());
        lock.commit();
        blocked.join();
        for (auto& caller : callers) caller.join();
      };

  std::vector<std::optional<PgAlertStore::Applied>> answers;
  std::vector<bool> failed;
  queue_behind_blocker({{Heartbeat("b1", kT0 + seconds(60)), Heartbeat("b2", alerts::ClearNow{})},
                        {Heartbeat("c", kT0 + seconds(61))},
                        {Heartbeat("b1", kT0 + seconds(62))}},
                       &answers, &failed);
  ASSERT_EQ(failed, std::vector<bool>(3, false));
  ASSERT_EQ(answers[0]->alerts.size(), 2u);
  EXPECT_EQ(answers[0]->alerts[0].key.id, "b1");
  EXPECT_EQ(answers[0]->alerts[1].state, alerts::State::kCleared);
  ASSERT_EQ(answers[1]->alerts.size(), 1u);
  EXPECT_EQ(answers[1]->alerts[0].key.id, "c");
  // The later submission of b1 saw the earlier one and won.
  EXPECT_EQ(answers[2]->alerts[0].raise_at, kT0 + seconds(62));
  EXPECT_EQ(store.Get({"10.0.0.7", "b1"})->raise_at, kT0 + seconds(62));
  EXPECT_EQ(WriterOf(*observer, "b1"), WriterOf(*observer, "c"));
  EXPECT_EQ(WriterOf(*observer, "b2"), WriterOf(*observer, "c"));

  auto bad = Heartbeat("bad", kT0 + seconds(60));
  bad.subject = "not UTF-8: \xff";  // Postgres refuses it
  queue_behind_blocker(
      {{Heartbeat("d", kT0 + seconds(60))}, {bad}, {Heartbeat("e", alerts::ClearNow{})}}, &answers,
      &failed);
  EXPECT_EQ(failed, (std::vector<bool>{false, true, false}));
  EXPECT_TRUE(store.Get({"10.0.0.7", "d"}));
  EXPECT_TRUE(store.Get({"10.0.0.7", "e"}));
  EXPECT_FALSE(store.Get({"10.0.0.7", "bad"}));
}

TEST_F(AlertStoreTest, TheOutboxReleasesAKeysNotificationsOneAfterAnother) {
  {
    auto c = pool_->Acquire();
    pqxx::work txn(*c);
    std::vector<OutgoingNotification> notices;
    for (const char* key : {"k1", "k1", "k2"}) {
      OutgoingNotification n;
      n.kind = "test.notice";
      n.ordering_key = key;
      n.webhook_url = "http://127.0.0.1:9/";
      n.content_type = "application/protobuf";
      n.body = std::string("\x00\x01\xff", 3);
      notices.push_back(n);
    }
    const auto ids = EnqueueNotifications(txn, notices);
    ASSERT_EQ(ids.size(), 3u);
    EXPECT_LT(ids[0], ids[1]);
    txn.commit();
  }
  PgNotificationQueue queue(*pool_, std::chrono::seconds(3600));
  auto claims = queue.ClaimDue(10, std::chrono::milliseconds(10000));
  ASSERT_EQ(claims.size(), 2u);  // k1's second waits for its first
  EXPECT_EQ(claims[0].ordering_key, "k1");
  EXPECT_EQ(claims[0].body, std::string("\x00\x01\xff", 3));
  EXPECT_EQ(NotificationWebhookId(claims[0].id), "nt_" + std::to_string(claims[0].id));
  EXPECT_TRUE(queue.ClaimDue(10, std::chrono::milliseconds(10000)).empty());
  // A retry keeps the key blocked; delivery frees it.
  NotificationOutcome retry{claims[0].id,
                            claims[0].attempt,
                            NotificationOutcomeKind::kRetry,
                            std::chrono::milliseconds(0),
                            503,
                            "receiver answered HTTP 503"};
  EXPECT_EQ(queue.Record({retry}), 1);
  auto again = queue.ClaimDue(10, std::chrono::milliseconds(10000));
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].id, claims[0].id);
  EXPECT_EQ(again[0].attempt, 2);
  // An outcome of a superseded claim is ignored.
  EXPECT_EQ(queue.Record({retry}), 0);
  NotificationOutcome done{again[0].id,
                           again[0].attempt,
                           NotificationOutcomeKind::kDelivered,
                           std::chrono::milliseconds(0),
                           200,
                           ""};
  EXPECT_EQ(queue.Record({done}), 1);
  auto next = queue.ClaimDue(10, std::chrono::milliseconds(10000));
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].ordering_key, "k1");
  EXPECT_GT(next[0].id, again[0].id);
}

}  // namespace
}  // namespace lokahi::store
