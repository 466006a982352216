// PgOutbox against a real Postgres: ordering, leases, claim tokens, batches, concurrency.

#include "lib/webhook/pg_outbox.h"

#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <thread>

#include "lib/webhook/pg_outbox.h"
#include "tests/lib/webhook/outbox_rows.h"
#include "tests/support/child_process.h"

namespace lokahi::webhook {
namespace {

using namespace std::chrono_literals;
using testrows::CheckRow;
using testrows::TransitionRow;

class PgOutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = testrows::NewMigratedDatabase();
    sql_ = std::make_unique<pqxx::connection>(url_);
    pool_ = std::make_unique<postgres::ConnectionPool>(url_, 2);
    outbox_ = std::make_unique<PgOutbox>(*pool_, std::chrono::seconds(3600));
  }

  std::string Check() { return testrows::InsertCheck(*sql_, CheckRow{"http://127.0.0.1:1/h"}); }
  int64_t Transition(const std::string& check_id) {
    TransitionRow row;
    row.check_id = check_id;
    return testrows::InsertTransition(*sql_, row);
  }
  static std::set<int64_t> Ids(const std::vector<ClaimedDelivery>& claims) {
    std::set<int64_t> ids;
    for (const auto& c : claims) ids.insert(c.ref.transition_id);
    return ids;
  }
  static DeliveryOutcome Outcome(const ClaimRef& ref, OutcomeKind kind) {
    DeliveryOutcome o;
    o.ref = ref;
    o.kind = kind;
    o.status_code = kind == OutcomeKind::kDelivered ? 200 : 500;
    o.error = kind == OutcomeKind::kDelivered ? "" : "receiver answered HTTP 500";
    o.response_time_ns = 777;
    return o;
  }

  std::string url_;
  std::unique_ptr<pqxx::connection> sql_;
  std::unique_ptr<postgres::ConnectionPool> pool_;
  std::unique_ptr<PgOutbox> outbox_;
};

TEST_F(PgOutboxTest, ClaimsOnlyTheOldestPendingTransitionOfEachCheck) {
  const auto a = Check(), b = Check();
  const auto a1 = Transition(a), a2 = Transition(a), a3 = Transition(a);
  const auto b1 = Transition(b);

  auto claims = outbox_->ClaimDue(100, 30s);
  EXPECT_EQ(Ids(claims), (std::set<int64_t>{a1, b1}));
  EXPECT_TRUE(outbox_->ClaimDue(100, 30s).empty()) << "leased rows and their successors wait";

  const auto& a1_claim = claims[0].ref.transition_id == a1 ? claims[0] : claims[1];
  EXPECT_EQ(outbox_->Record({Outcome(a1_claim.ref, OutcomeKind::kDelivered)}), 1);
  EXPECT_EQ(Ids(outbox_->ClaimDue(100, 30s)), (std::set<int64_t>{a2}));
  // A failed transition frees its successor just as a delivered one does.
  EXPECT_EQ(outbox_->Record({Outcome({a2, 1}, OutcomeKind::kFailed)}), 1);
  EXPECT_EQ(Ids(outbox_->ClaimDue(100, 30s)), (std::set<int64_t>{a3}));
  EXPECT_EQ(testrows::ReadOutbox(*sql_, a2).delivery_state, 2);
}

TEST_F(PgOutboxTest, ClaimCarriesTransitionCheckAndDeadline) {
  const auto id =
      testrows::InsertCheck(*sql_, CheckRow{"https://hooks.example.com/x", "whsec_c2VjcmV0", 1,
                                            "https://t.example.com/health", "https://wiki/p", 30});
  TransitionRow row{id, 2, 1, 200, 4242, "was refused", "now() - interval '100 seconds'"};
  const auto t = testrows::InsertTransition(*sql_, row);
  const auto claims = outbox_->ClaimDue(10, 30s);
  ASSERT_EQ(claims.size(), 1u);
  const auto& c = claims[0];
  EXPECT_EQ(c.ref.transition_id, t);
  EXPECT_EQ(c.ref.attempt, 1);
  EXPECT_EQ(c.transition.from_state, checks::State::kDown);
  EXPECT_EQ(c.transition.to_state, checks::State::kUp);
  EXPECT_EQ(c.transition.status_code, 200);
  EXPECT_EQ(c.transition.latency_ns, 4242);
  EXPECT_EQ(c.transition.error, "was refused");
  EXPECT_EQ(c.check.id, id);
  EXPECT_EQ(c.check.state, checks::State::kUp);
  EXPECT_EQ(c.check.options.url, "https://t.example.com/health");
  EXPECT_EQ(c.check.options.webhook_url, "https://hooks.example.com/x");
  EXPECT_EQ(c.check.options.playbook_url, "https://wiki/p");
  EXPECT_EQ(c.check.options.every_seconds, 30);
  EXPECT_EQ(c.check.options.webhook_format, checks::WebhookFormat::kJson);
  EXPECT_EQ(c.check.options.webhook_secret, "whsec_c2VjcmV0");
  EXPECT_NEAR(static_cast<double>(c.until_deadline.count()), 3500000.0, 5000.0);
  const auto stored = testrows::ReadOutbox(*sql_, t);
  EXPECT_TRUE(stored.leased);
  EXPECT_EQ(stored.attempts, 1);
}

TEST_F(PgOutboxTest, ExpiredLeaseIsClaimedAgainAndTheOldClaimLosesItsSay) {
  const auto t = Transition(Check());
  const auto first = outbox_->ClaimDue(10, 150ms);
  ASSERT_EQ(first.size(), 1u);
  std::vector<ClaimedDelivery> second;
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        second = outbox_->ClaimDue(10, 30s);
        return !second.empty();
      },
      5s));
  EXPECT_EQ(second[0].ref.transition_id, t);
  EXPECT_EQ(second[0].ref.attempt, 2);

  EXPECT_EQ(outbox_->Record({Outcome(first[0].ref, OutcomeKind::kDelivered)}), 0);
  EXPECT_EQ(testrows::ReadOutbox(*sql_, t).delivery_state, 0);
  outbox_->Release({first[0].ref});
  EXPECT_TRUE(testrows::ReadOutbox(*sql_, t).leased) << "a stale release must not free the row";
  EXPECT_EQ(outbox_->Record({Outcome(second[0].ref, OutcomeKind::kDelivered)}), 1);
  EXPECT_EQ(testrows::ReadOutbox(*sql_, t).delivery_state, 1);
}

TEST_F(PgOutboxTest, RetrySchedulesTheNextAttemptAndKeepsTheError) {
  const auto t = Transition(Check());
  const auto claims = outbox_->ClaimDue(10, 30s);
  ASSERT_EQ(claims.size(), 1u);
  auto outcome = Outcome(claims[0].ref, OutcomeKind::kRetry);
  outcome.retry_in = 60s;
  EXPECT_EQ(outbox_->Record({outcome}), 1);
  const auto row = testrows::ReadOutbox(*sql_, t);
  EXPECT_EQ(row.delivery_state, 0);
  EXPECT_FALSE(row.leased);
  EXPECT_EQ(row.last_status_code, 500);
  EXPECT_EQ(row.last_error, "receiver answered HTTP 500");
  EXPECT_NEAR(row.next_attempt_in_seconds, 60.0, 5.0);
  EXPECT_TRUE(outbox_->ClaimDue(10, 30s).empty()) << "not due for a minute";
}

TEST_F(PgOutboxTest, FailingWithoutAnAttemptKeepsTheLastAttemptsAnswer) {
  const auto t = Transition(Check());
  auto claims = outbox_->ClaimDue(10, 30s);
  ASSERT_EQ(claims.size(), 1u);
  EXPECT_EQ(outbox_->Record({Outcome(claims[0].ref, OutcomeKind::kRetry)}), 1);
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        claims = outbox_->ClaimDue(10, 30s);
        return !claims.empty();
      },
      5s));
  DeliveryOutcome expired;
  expired.ref = claims[0].ref;
  expired.kind = OutcomeKind::kFailed;
  expired.error = "delivery deadline passed before this attempt";
  expired.attempted = false;
  EXPECT_EQ(outbox_->Record({expired}), 1);
  const auto row = testrows::ReadOutbox(*sql_, t);
  EXPECT_EQ(row.delivery_state, 2);
  EXPECT_EQ(row.last_status_code, 500);
  EXPECT_EQ(row.last_error,
            "delivery deadline passed before this attempt (last attempt: receiver answered HTTP "
            "500)");
}

TEST_F(PgOutboxTest, DeliveredRecordsTimesOnTransitionAndCheck) {
  const auto check = Check();
  const auto t = Transition(check);
  const auto claims = outbox_->ClaimDue(10, 30s);
  ASSERT_EQ(claims.size(), 1u);
  EXPECT_EQ(outbox_->Record({Outcome(claims[0].ref, OutcomeKind::kDelivered)}), 1);
  const auto row = testrows::ReadOutbox(*sql_, t);
  EXPECT_EQ(row.delivery_state, 1);
  EXPECT_TRUE(row.delivered_at_set);
  EXPECT_FALSE(row.leased);
  EXPECT_EQ(row.last_status_code, 200);
  pqxx::read_transaction txn(*sql_);
  EXPECT_EQ(
      txn.exec_params1("SELECT webhook_response_time_ns FROM checks WHERE id = $1::uuid", check)[0]
          .as<int64_t>(),
      777);
}

TEST_F(PgOutboxTest, ReleaseHandsBackUnsentClaimsAtOnce) {
  const auto t = Transition(Check());
  const auto claims = outbox_->ClaimDue(10, 30s);
  ASSERT_EQ(claims.size(), 1u);
  outbox_->Release({claims[0].ref});
  const auto row = testrows::ReadOutbox(*sql_, t);
  EXPECT_FALSE(row.leased);
  EXPECT_EQ(row.attempts, 0);
  const auto again = outbox_->ClaimDue(10, 30s);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].ref.attempt, 1);
}

TEST_F(PgOutboxTest, BatchRecordAppliesEveryOutcome) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 50; ++i) ids.push_back(Transition(Check()));
  const auto claims = outbox_->ClaimDue(1000, 30s);
  ASSERT_EQ(claims.size(), 50u);
  std::vector<DeliveryOutcome> outcomes;
  for (const auto& c : claims) {
    outcomes.push_back(
        Outcome(c.ref, c.ref.transition_id % 2 ? OutcomeKind::kDelivered : OutcomeKind::kFailed));
  }
  outcomes[3].error = "quote \" backslash \\ comma , brace { }";
  EXPECT_EQ(outbox_->Record(outcomes), 50);
  for (int64_t id : ids) EXPECT_EQ(testrows::ReadOutbox(*sql_, id).delivery_state, id % 2 ? 1 : 2);
  EXPECT_EQ(testrows::ReadOutbox(*sql_, outcomes[3].ref.transition_id).last_error,
            outcomes[3].error);
}

TEST_F(PgOutboxTest, AnAnswerFromAReceiverMakesItsDeliveriesInBackoffDueNow) {
  const auto a = Check(), b = Check();
  const auto other = testrows::InsertCheck(*sql_, CheckRow{"http://127.0.0.1:2/elsewhere"});
  const auto a1 = Transition(a), b1 = Transition(b), o1 = Transition(other);
  auto claims = outbox_->ClaimDue(10, 60000ms);
  ASSERT_EQ(claims.size(), 3u);
  std::vector<DeliveryOutcome> failures;
  for (const auto& c : claims) {
    auto o = Outcome(c.ref, OutcomeKind::kRetry);
    o.retry_in = 600000ms;
    failures.push_back(o);
  }
  ASSERT_EQ(outbox_->Record(failures), 3);
  EXPECT_GT(testrows::ReadOutbox(*sql_, b1).next_attempt_in_seconds, 500);
  // A new transition of check a is delivered: the receiver of a and b is back.
  const auto a2 = Transition(a);
  {
    pqxx::work txn(*sql_);
    txn.exec_params("UPDATE transitions SET delivery_state = 1 WHERE id = $1", a1);
    txn.commit();
  }
  claims = outbox_->ClaimDue(10, 60000ms);
  ASSERT_EQ(Ids(claims), (std::set<int64_t>{a2}));
  auto delivered = Outcome(claims[0].ref, OutcomeKind::kDelivered);
  delivered.check_id = a;
  delivered.release_waiting = true;
  ASSERT_EQ(outbox_->Record({delivered}), 1);
  EXPECT_LE(testrows::ReadOutbox(*sql_, b1).next_attempt_in_seconds, 0.0);
  EXPECT_GT(testrows::ReadOutbox(*sql_, o1).next_attempt_in_seconds, 500)
      << "another receiver's backoff is its own";
  EXPECT_EQ(Ids(outbox_->ClaimDue(10, 60000ms)), (std::set<int64_t>{b1}));
}

TEST_F(PgOutboxTest, GivingUpQueuesOneOperatorNoticeInTheSameStatement) {
  PgOutbox noticing(*pool_, std::chrono::seconds(3600),
                    /*record_abandoned=*/true);
  const auto a = Check();
  const auto a1 = Transition(a);
  auto claims = noticing.ClaimDue(10, 60000ms);
  ASSERT_EQ(claims.size(), 1u);
  auto failed = Outcome(claims[0].ref, OutcomeKind::kFailed);
  failed.gave_up = GiveUpReason::kGone;
  failed.receiver = "http://127.0.0.1:1/…";
  failed.error = "given up: 410";
  ASSERT_EQ(noticing.Record({failed}), 1);
  ASSERT_EQ(noticing.Record({failed}), 0);  // a repeat changes nothing

  auto notices = noticing.ClaimAbandoned(10, 60000ms);
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0].ref.transition_id, a1);
  EXPECT_EQ(notices[0].ref.attempt, 1);
  EXPECT_EQ(notices[0].check_id, a);
  EXPECT_EQ(notices[0].receiver, "http://127.0.0.1:1/…");
  EXPECT_EQ(notices[0].reason, GiveUpReason::kGone);
  EXPECT_EQ(notices[0].error, "given up: 410");
  EXPECT_EQ(notices[0].from_state, checks::State::kUp);
  EXPECT_EQ(notices[0].to_state, checks::State::kDown);
  EXPECT_GT(notices[0].until_deadline, 3500s);
  EXPECT_TRUE(noticing.ClaimAbandoned(10, 60000ms).empty()) << "leased";

  DeliveryOutcome retry;
  retry.ref = notices[0].ref;
  retry.kind = OutcomeKind::kRetry;
  noticing.RecordAbandoned({retry});
  notices = noticing.ClaimAbandoned(10, 60000ms);
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0].ref.attempt, 2);
  DeliveryOutcome sent;
  sent.ref = notices[0].ref;
  sent.kind = OutcomeKind::kDelivered;
  noticing.RecordAbandoned({sent});
  EXPECT_TRUE(noticing.ClaimAbandoned(10, 0ms).empty()) << "sent once";

  // Without an operator's webhook nothing is queued.
  const auto b1 = Transition(Check());
  claims = outbox_->ClaimDue(10, 60000ms);
  ASSERT_EQ(Ids(claims), (std::set<int64_t>{b1}));
  ASSERT_EQ(outbox_->Record({Outcome(claims[0].ref, OutcomeKind::kFailed)}), 1);
  EXPECT_TRUE(noticing.ClaimAbandoned(10, 60000ms).empty());
}

TEST_F(PgOutboxTest, ConcurrentClaimersNeverHoldTheSameTransition) {
  constexpr int kChecks = 300;
  for (int i = 0; i < kChecks; ++i) Transition(Check());
  std::mutex mutex;
  std::multiset<int64_t> claimed;
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&] {
      postgres::ConnectionPool pool(url_, 1);
      PgOutbox outbox(pool, std::chrono::seconds(3600));
      for (int round = 0; round < 200; ++round) {
        const auto claims = outbox.ClaimDue(7, 60s);
        if (claims.empty()) break;
        std::lock_guard lock(mutex);
        for (const auto& c : claims) claimed.insert(c.ref.transition_id);
      }
    });
  }
  for (auto& w : workers) w.join();
  EXPECT_EQ(claimed.size(), static_cast<size_t>(kChecks));
  EXPECT_EQ(std::set<int64_t>(claimed.begin(), claimed.end()).size(), claimed.size());
}

}  // namespace
}  // namespace lokahi::webhook
