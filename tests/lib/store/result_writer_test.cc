// PgResultWriter against a real Postgres: transitions are decided once, in slot order.

#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <thread>

#include "lib/postgres/migrator.h"
#include "lib/store/pg_check_store.h"
#include "lib/store/pg_result_writer.h"
#include "lib/store/schema.h"
#include "tests/support/shared_services.h"

namespace lokahi::store {
namespace {

using checks::State;
using checks::Verdict;

class ResultWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = testing::Services().postgres.NewDatabase();
    pool_ = std::make_unique<postgres::ConnectionPool>(url_, 8);
    auto c = pool_->Acquire();
    postgres::Migrate(*c, SchemaMigrations());
  }

  // `confirm`: whether a transition out of UP waits for another worker's probe (on for checks
  // by default); the state tests turn it off to see each decision as it is made.
  std::string CreateCheck(int failure_threshold = 1, int recovery_threshold = 1,
                          bool notify_failure_kind_change = true, bool confirm = false) {
    PgCheckStore store(*pool_);
    checks::CheckOptions o;
    o.notify_failure_kind_change = notify_failure_kind_change;
    o.url = "http://127.0.0.1:9/";
    o.webhook_url = "http://127.0.0.1:9/hook";
    o.failure_threshold = failure_threshold;
    o.recovery_threshold = recovery_threshold;
    checks::ApplyDefaults(o);
    const std::string id = store.Create(o).id;
    auto c = pool_->Acquire();
    pqxx::work txn(*c);
    txn.exec_params("UPDATE checks SET confirm = $2 WHERE id = $1::uuid", id, confirm);
    txn.commit();
    return id;
  }

  // check_states.disagreements and, per transition, its confirmation mark (0 none needed,
  // 1 confirmed, 2 unanswered).
  long long Disagreements(const std::string& id) {
    auto c = pool_->Acquire();
    pqxx::read_transaction txn(*c);
    return txn
        .exec_params1("SELECT disagreements FROM check_states WHERE check_id = $1::uuid", id)[0]
        .as<long long>();
  }
  std::vector<int> ConfirmationMarks(const std::string& id) {
    auto c = pool_->Acquire();
    pqxx::read_transaction txn(*c);
    std::vector<int> out;
    for (const auto& row : txn.exec_params(
             "SELECT confirmation FROM transitions WHERE check_id = $1::uuid ORDER BY id", id)) {
      out.push_back(row[0].as<int>());
    }
    return out;
  }

  static ProbeRecord Probe(const std::string& id, int64_t slot, Verdict verdict) {
    ProbeRecord r;
    r.check_id = id;
    r.slot_ms = slot;
    r.probed_unix_us = 1700000000000000 + slot * 1000;
    r.verdict = verdict;
    r.status_code = verdict == Verdict::kUp ? 200 : verdict == Verdict::kDown ? 500 : 0;
    r.error = verdict == Verdict::kError ? "connection refused" : "";
    r.latency_ns = 1000000;
    return r;
  }

  std::vector<std::pair<int, int>> Transitions(const std::string& id) {
    auto c = pool_->Acquire();
    pqxx::read_transaction txn(*c);
    std::vector<std::pair<int, int>> out;
    for (const auto& row : txn.exec_params(
             "SELECT from_state, to_state FROM transitions WHERE check_id = $1::uuid ORDER BY id",
             id)) {
      out.emplace_back(row[0].as<int>(), row[1].as<int>());
    }
    return out;
  }

  long long ResultCount(const std::string& id) {
    auto c = pool_->Acquire();
    pqxx::read_transaction txn(*c);
    return txn.exec_params1("SELECT count(*) FROM results WHERE check_id = $1::uuid", id)[0]
        .as<long long>();
  }

  std::string url_;
  std::unique_ptr<postgres::ConnectionPool> pool_;
};

TEST_F(ResultWriterTest, SlotsReplayInOrderWithOneTransitionPerChange) {
  const auto id = CreateCheck();
  PgResultWriter writer(*pool_);
  // Deliberately shuffled within the batch.
  const auto outcome =
      writer.Write({Probe(id, 3000, Verdict::kError), Probe(id, 1000, Verdict::kUp),
                    Probe(id, 5000, Verdict::kUp), Probe(id, 2000, Verdict::kDown),
                    Probe(id, 4000, Verdict::kError)},
                   0);
  EXPECT_EQ(outcome.results_written, 5u);
  ASSERT_EQ(outcome.transitions.size(), 4u);
  EXPECT_EQ(Transitions(id), (std::vector<std::pair<int, int>>{{0, 1}, {1, 2}, {2, 3}, {3, 1}}));
  EXPECT_EQ(ResultCount(id), 5);
}

TEST_F(ResultWriterTest, OlderOrDuplicateSlotsDoNotMoveState) {
  const auto id = CreateCheck();
  PgResultWriter writer(*pool_);
  writer.Write({Probe(id, 2000, Verdict::kUp)}, 0);
  const auto outcome =
      writer.Write({Probe(id, 2000, Verdict::kDown), Probe(id, 1000, Verdict::kDown)}, 0);
  EXPECT_EQ(outcome.stale_or_duplicate, 2u);
  EXPECT_TRUE(outcome.transitions.empty());
  EXPECT_EQ(Transitions(id), (std::vector<std::pair<int, int>>{{0, 1}}));
}

TEST_F(ResultWriterTest, TwoWritersRacingOnOneCheckRecordOneTransition) {
  for (int round = 0; round < 20; ++round) {
    const auto id = CreateCheck();
    PgResultWriter a(*pool_), b(*pool_);
    std::thread ta([&] { a.Write({Probe(id, 1000, Verdict::kDown)}, 0); });
    std::thread tb([&] { b.Write({Probe(id, 1000, Verdict::kDown)}, 0); });
    ta.join();
    tb.join();
    EXPECT_EQ(Transitions(id), (std::vector<std::pair<int, int>>{{0, 2}})) << "round " << round;
  }
}

// Two writers interleaving slots of the same 100 checks, batch after batch: neither fails, and
// each check's transitions form one chain in slot order that ends in its stored state, whatever
// order the writers' statements landed in.
TEST_F(ResultWriterTest, ConcurrentBatchesOverManyChecksKeepEachHistoryConsistent) {
  std::vector<std::string> ids;
  for (int i = 0; i < 100; ++i) ids.push_back(CreateCheck());
  const auto batch_of = [&](int round, int parity) {
    std::vector<ProbeRecord> batch;
    for (size_t i = 0; i < ids.size(); ++i) {
      const int64_t slot = (round * 2 + parity + 1) * 1000;
      const Verdict verdict = (i + round + parity) % 3 == 0   ? Verdict::kUp
                              : (i + round + parity) % 3 == 1 ? Verdict::kDown
                                                              : Verdict::kError;
      batch.push_back(Probe(ids[parity ? ids.size() - 1 - i : i], slot, verdict));
    }
    return batch;
  };
  PgResultWriter a(*pool_), b(*pool_);
  std::thread ta([&] {
    for (int round = 0; round < 15; ++round) EXPECT_NO_THROW(a.Write(batch_of(round, 0), 0));
  });
  std::thread tb([&] {
    for (int round = 0; round < 15; ++round) EXPECT_NO_THROW(b.Write(batch_of(round, 1), 0));
  });
  ta.join();
  tb.join();

  auto c = pool_->Acquire();
  pqxx::read_transaction txn(*c);
  for (const auto& id : ids) {
    int expected_from = 0;
    int64_t previous_slot = 0;
    for (const auto& row : txn.exec_params("SELECT from_state, to_state, slot_ms FROM transitions"
                                           " WHERE check_id = $1::uuid ORDER BY id",
                                           id)) {
      EXPECT_EQ(row[0].as<int>(), expected_from) << id;
      EXPECT_NE(row[0].as<int>(), row[1].as<int>()) << id;
      EXPECT_GT(row[2].as<int64_t>(), previous_slot) << id;
      expected_from = row[1].as<int>();
      previous_slot = row[2].as<int64_t>();
    }
    EXPECT_EQ(txn.exec_params1("SELECT state FROM check_states WHERE check_id = $1::uuid", id)[0]
                  .as<int>(),
              expected_from)
        << id;
    EXPECT_EQ(ResultCount(id), 30) << id;
  }
}

TEST_F(ResultWriterTest, FailureThresholdHoldsUpUntilConsecutiveFailures) {
  const auto id = CreateCheck(3, 2);
  PgResultWriter writer(*pool_);
  writer.Write({Probe(id, 1000, Verdict::kUp), Probe(id, 2000, Verdict::kDown),
                Probe(id, 3000, Verdict::kDown), Probe(id, 4000, Verdict::kUp),
                Probe(id, 5000, Verdict::kDown), Probe(id, 6000, Verdict::kDown)},
               0);
  EXPECT_EQ(Transitions(id), (std::vector<std::pair<int, int>>{{0, 1}})) << "blips stay UP";
  writer.Write({Probe(id, 7000, Verdict::kDown), Probe(id, 8000, Verdict::kUp)}, 0);
  EXPECT_EQ(Transitions(id), (std::vector<std::pair<int, int>>{{0, 1}, {1, 2}}));
  writer.Write({Probe(id, 9000, Verdict::kUp)}, 0);
  EXPECT_EQ(Transitions(id), (std::vector<std::pair<int, int>>{{0, 1}, {1, 2}, {2, 1}}));
}

TEST_F(ResultWriterTest, NewCheckWaitsForTheFailureThresholdAcrossBatches) {
  const auto id = CreateCheck(3, 2);
  PgResultWriter writer(*pool_);
  writer.Write({Probe(id, 1000, Verdict::kDown)}, 0);
  writer.Write({Probe(id, 2000, Verdict::kError)}, 0);
  EXPECT_TRUE(Transitions(id).empty()) << "a new check sends nothing before the threshold";
  writer.Write({Probe(id, 3000, Verdict::kDown)}, 0);
  EXPECT_EQ(Transitions(id), (std::vector<std::pair<int, int>>{{0, 2}}));

  // A flapping target is UP from its first success and never pages.
  const auto flapping = CreateCheck(3, 2);
  writer.Write({Probe(flapping, 1000, Verdict::kDown), Probe(flapping, 2000, Verdict::kUp),
                Probe(flapping, 3000, Verdict::kDown)},
               0);
  writer.Write({Probe(flapping, 4000, Verdict::kUp), Probe(flapping, 5000, Verdict::kDown)}, 0);
  EXPECT_EQ(Transitions(flapping), (std::vector<std::pair<int, int>>{{0, 1}}));
}

TEST_F(ResultWriterTest, FailureKindChangeNotifiesUnlessTheCheckTurnsItOff) {
  PgResultWriter writer(*pool_);
  const auto loud = CreateCheck();
  const auto quiet = CreateCheck(1, 1, false);
  for (const auto& id : {loud, quiet}) {
    writer.Write({Probe(id, 1000, Verdict::kUp), Probe(id, 2000, Verdict::kDown)}, 0);
    writer.Write({Probe(id, 3000, Verdict::kError), Probe(id, 4000, Verdict::kDown)}, 0);
    writer.Write({Probe(id, 5000, Verdict::kUp)}, 0);
  }
  EXPECT_EQ(Transitions(loud),
            (std::vector<std::pair<int, int>>{{0, 1}, {1, 2}, {2, 3}, {3, 2}, {2, 1}}));
  EXPECT_EQ(Transitions(quiet), (std::vector<std::pair<int, int>>{{0, 1}, {1, 2}, {2, 1}}));
  PgCheckStore store(*pool_);
  EXPECT_FALSE(store.Get(*checks::CheckId::Parse(quiet))->options.notify_failure_kind_change);
  EXPECT_TRUE(store.Get(*checks::CheckId::Parse(loud))->options.notify_failure_kind_change);
}

TEST_F(ResultWriterTest, LeavingUpWaitsForASecondWorkersProbe) {
  const auto id = CreateCheck(1, 1, true, /*confirm=*/true);
  PgResultWriter writer(*pool_);
  writer.Write({Probe(id, 1000, Verdict::kUp)}, 0);

  // A failure is held: no transition until the confirmation decides.
  auto held = writer.Write({Probe(id, 2000, Verdict::kDown)}, 0);
  EXPECT_TRUE(held.transitions.empty());
  ASSERT_EQ(held.confirmations.size(), 1u);
  EXPECT_EQ(held.confirmations[0].to, checks::State::kDown);
  EXPECT_EQ(Transitions(id), (std::vector<std::pair<int, int>>{{0, 1}}));

  // The other worker reached the target: no transition, one disagreement counted.
  EXPECT_TRUE(writer.ApplyConfirmations({{held.confirmations[0], ConfirmationVerdict::kVetoed}})
                  .transitions.empty());
  EXPECT_EQ(Transitions(id), (std::vector<std::pair<int, int>>{{0, 1}}));
  EXPECT_EQ(Disagreements(id), 1);

  // It failed too: the transition commits, marked confirmed.
  held = writer.Write({Probe(id, 3000, Verdict::kDown)}, 0);
  ASSERT_EQ(held.confirmations.size(), 1u);
  EXPECT_EQ(writer.ApplyConfirmations({{held.confirmations[0], ConfirmationVerdict::kConfirmed}})
                .transitions.size(),
            1u);
  EXPECT_EQ(Transitions(id), (std::vector<std::pair<int, int>>{{0, 1}, {1, 2}}));

  // Recovery needs no confirmation; leaving UP again with nobody to ask commits unconfirmed.
  writer.Write({Probe(id, 4000, Verdict::kUp)}, 0);
  held = writer.Write({Probe(id, 5000, Verdict::kError)}, 0);
  ASSERT_EQ(held.confirmations.size(), 1u);
  writer.ApplyConfirmations({{held.confirmations[0], ConfirmationVerdict::kUnanswered}});
  EXPECT_EQ(Transitions(id), (std::vector<std::pair<int, int>>{{0, 1}, {1, 2}, {2, 1}, {1, 3}}));
  EXPECT_EQ(ConfirmationMarks(id), (std::vector<int>{0, 1, 0, 2}));
}

TEST_F(ResultWriterTest, OnDemandProbesAreRecordedButDoNotMoveState) {
  const auto id = CreateCheck();
  PgResultWriter writer(*pool_);
  auto manual = Probe(id, 1000, Verdict::kDown);
  manual.applies_to_state = false;
  writer.Write({manual}, 0);
  EXPECT_TRUE(Transitions(id).empty());
  EXPECT_EQ(ResultCount(id), 1);
}

TEST_F(ResultWriterTest, DeletedCheckResultsAreKeptWithoutState) {
  const auto id = CreateCheck();
  {
    auto c = pool_->Acquire();
    pqxx::work txn(*c);
    txn.exec_params("DELETE FROM checks WHERE id = $1::uuid", id);
    txn.commit();
  }
  PgResultWriter writer(*pool_);
  const auto outcome = writer.Write({Probe(id, 1000, Verdict::kDown)}, 3);
  EXPECT_TRUE(outcome.transitions.empty());
  auto c = pool_->Acquire();
  pqxx::read_transaction txn(*c);
  EXPECT_EQ(txn.exec1("SELECT coalesce(sum(count), 0) FROM skipped_slots")[0].as<long long>(), 3);
}

// A row Postgres refuses as data (here an id that is not a UUID) is reported as RowsRejected, so
// the batcher splits the batch instead of retrying it forever; a good batch still writes.
TEST_F(ResultWriterTest, DataPostgresRefusesIsRowsRejected) {
  PgResultWriter writer(*pool_);
  const std::string id = CreateCheck();
  EXPECT_THROW(
      writer.Write({Probe(id, 1000, Verdict::kUp), Probe("not-a-uuid", 1000, Verdict::kUp)}, 0),
      RowsRejected);
  EXPECT_EQ(writer.Write({Probe(id, 1000, Verdict::kUp)}, 0).results_written, 1u);
}

}  // namespace
}  // namespace lokahi::store
