#pragma once
// The stack the fault-matrix rows run on (issue 14), shared by tests/stack/fault_matrix_test.cc and
// tests/stack/nats_fault_test.cc: Postgres, nats-server, lokahid, healthworker, webhookworker,
// duke-of-york targets (some flipping, some steady) and sample_hook as receiver. A row creates 110
// checks, injects one fault, then stops the producers, lets the outbox drain and asserts what users
// see (FinishRow): every transition decided is delivered (by its webhook-id) once, none lost,
// repeats only under the same webhook-id, in order per check, no alert for a target that never
// changed, and the stack back to probing every check within a stated bound. Each row prints one
// line of counts.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <pqxx/pqxx>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "lokahi.grpc.pb.h"
#include "tests/support/daemon.h"
#include "tests/support/ports.h"
#include "tests/support/shared_services.h"

namespace lokahi::fault_stack {

namespace pb = github::xe::lokahi;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using testing::ChildProcess;
using testing::Services;
using testing::WaitFor;

inline constexpr int kFlippingPerTarget = 30;  // two flipping targets
inline constexpr int kSteady = 50;             // one steady target
inline constexpr int kChecks = 2 * kFlippingPerTarget + kSteady;

struct Delivery {
  std::string check_id, state, previous_state, webhook_id;
  long long transition_id = 0;
};

// sample_hook's `event=webhook` lines (first deliveries of a webhook-id) and the count of its
// `event=webhook_duplicate` lines (repeats it recognised by webhook-id), in arrival order.
struct Received {
  std::vector<Delivery> deliveries;
  long long duplicates = 0;
};

inline Received ReceivedBy(const ChildProcess& sample_hook) {
  static const std::regex kLine(
      R"(event=webhook check_id=(\S+) state=(\S+) previous_state=(\S+) .* webhook_id=(\S+) transition_id=(\d+))");
  Received out;
  std::istringstream log(sample_hook.Log());
  std::string line;
  while (std::getline(log, line)) {
    std::smatch m;
    if (line.find("event=webhook_duplicate") != std::string::npos) {
      ++out.duplicates;
    } else if (std::regex_search(line, m, kLine)) {
      out.deliveries.push_back({m[1], m[2], m[3], m[4], std::stoll(m[5])});
    }
  }
  return out;
}

struct Transition {
  long long id;
  std::string check_id;
  int from_state, to_state;
};

inline double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

class FaultStackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    database_url_ = Services().postgres.NewDatabase();
    // The shared test Postgres runs with synchronous_commit=off for speed: a crash would lose the
    // last commits, which no production setting does. Rows that crash Postgres measure lokahi,
    // not that setting, so this database commits durably.
    Query("DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET synchronous_commit = on', "
          "current_database()); END $$");
    nats_url_ = Services().nats.Url();
    hook_port_ = testing::FreePort();
    sample_hook_ = testing::StartDaemon("receivers/sample_hook",
                                        {{"PORT", std::to_string(hook_port_)}}, hook_port_);
    for (const char* period : {"3", "4", "86400"}) {  // 86400: up for the whole test
      const int port = testing::FreePort();
      target_ports_.push_back(port);
      targets_.push_back(
          testing::StartDaemon("receivers/duke-of-york",
                               {{"PORT", std::to_string(port)}, {"DUKE_PERIOD", period}}, port));
    }
  }

  std::unique_ptr<ChildProcess> StartLokahid(int* port) {
    *port = testing::FreePort();
    std::map<std::string, std::string> env = {{"DATABASE_URL", database_url_},
                                              {"NATS_URL", nats_url_},
                                              {"PORT", std::to_string(*port)},
                                              {"LOKAHI_MIN_EVERY", "1"}};
    env.insert(lokahid_env_.begin(), lokahid_env_.end());
    return testing::StartDaemon("lokahid/lokahid", env, *port);
  }
  std::unique_ptr<ChildProcess> StartHealthworker() {
    return testing::StartDaemon("healthworker/healthworker", {{"DATABASE_URL", database_url_},
                                                              {"NATS_URL", nats_url_},
                                                              {"LOKAHI_BATCH_MAX_DELAY_MS", "50"}});
  }
  std::unique_ptr<ChildProcess> StartWebhookworker() {
    return testing::StartDaemon("webhookworker/webhookworker",
                                {{"DATABASE_URL", database_url_}, {"NATS_URL", nats_url_}});
  }

  // Creates the checks through `lokahid_port`'s API: 30 on each flipping target, 50 steady.
  void CreateChecks(int lokahid_port) {
    auto stub = pb::Checks::NewStub(grpc::CreateChannel("127.0.0.1:" + std::to_string(lokahid_port),
                                                        grpc::InsecureChannelCredentials()));
    for (int i = 0; i < kChecks; ++i) {
      const size_t target = i < kFlippingPerTarget ? 0 : i < 2 * kFlippingPerTarget ? 1 : 2;
      pb::CreateOpts opts;
      opts.set_url("http://127.0.0.1:" + std::to_string(target_ports_[target]) + "/c" +
                   std::to_string(i));
      opts.set_webhook_url("http://127.0.0.1:" + std::to_string(hook_port_) +
                           "/twirp/github.xe.lokahi.Webhook/Handle");
      opts.set_every(1);
      opts.set_timeout_ms(5000);  // a loaded machine is slow, not down
      pb::Check check;
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + 20s);
      const auto status = stub->Create(&context, opts, &check);
      ASSERT_TRUE(status.ok()) << status.error_message();
      (target == 2 ? steady_ : flipping_).insert(check.id());
    }
  }

  // A fresh connection per query: the row may have restarted Postgres meanwhile.
  pqxx::result Query(const std::string& sql) {
    pqxx::connection c(database_url_);
    pqxx::nontransaction txn(c);
    return txn.exec(sql);
  }
  long long Count(const std::string& sql) {
    try {
      return Query(sql)[0][0].as<long long>();
    } catch (const std::exception&) {
      return -1;  // Postgres not back yet
    }
  }

  // Checks with a result probed after `since` (wall clock).
  long long ChecksProbedSince(std::chrono::system_clock::time_point since) {
    const double epoch = std::chrono::duration<double>(since.time_since_epoch()).count();
    return Count(
        "SELECT count(DISTINCT check_id) FROM results WHERE probed_at "
        "> to_timestamp(" +
        std::to_string(epoch) + ")");
  }

  // Seconds from `fault_end` until every check has a result probed after it; -1 past `bound`.
  double WaitAllProbedAfter(Clock::time_point fault_end, std::chrono::system_clock::time_point wall,
                            std::chrono::seconds bound) {
    const bool ok = WaitFor(
        [&] { return ChecksProbedSince(wall) == kChecks; },
        bound - std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - fault_end));
    return ok ? Seconds(Clock::now() - fault_end) : -1;
  }

  // lokahid, a healthworker and the webhookworker up, the checks created, every first transition
  // delivered and the targets flipping for a few seconds: the fault lands mid-flow.
  void StartStackMidFlow(std::unique_ptr<ChildProcess>* lokahid,
                         std::unique_ptr<ChildProcess>* healthworker) {
    int lokahid_port = 0;
    *lokahid = StartLokahid(&lokahid_port);
    *healthworker = StartHealthworker();
    webhookworker_ = StartWebhookworker();
    ASSERT_NO_FATAL_FAILURE(CreateChecks(lokahid_port));
    ASSERT_NO_FATAL_FAILURE(WaitFirstDeliveries());
    RunFor(6s);
  }

  // Lets the checks flip for a while so the fault lands mid-flow with deliveries in flight.
  void RunFor(std::chrono::seconds window) { std::this_thread::sleep_for(window); }

  void WaitFirstDeliveries() {
    ASSERT_TRUE(WaitFor(
        [&] { return static_cast<int>(ReceivedBy(*sample_hook_).deliveries.size()) >= kChecks; },
        60s))
        << "every check's first transition (INIT→UP) reaches the receiver";
  }

  // Stops the producers (`producers` get SIGTERM and must exit 0), waits for the outbox to drain,
  // then asserts the row's invariants and prints its line.
  void FinishRow(const std::string& row, std::vector<std::unique_ptr<ChildProcess>*> producers,
                 double recovery_s, double bound_s, bool assert_slots = true) {
    for (auto* p : producers) {
      const int status = (*p)->Stop(SIGTERM, 30s);
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
          << row << ": a producer did not exit cleanly on SIGTERM:\n"
          << (*p)->Log();
    }
    const bool drained = WaitFor(
        [&] {
          const long long pending =
              Count("SELECT count(*) FROM transitions WHERE delivery_state = 0");
          return pending == 0;
        },
        90s);
    EXPECT_TRUE(drained) << row << ": the outbox still has pending transitions";
    ASSERT_TRUE(webhookworker_->Running()) << row << ": webhookworker exited\n"
                                           << webhookworker_->Log();

    std::vector<Transition> decided;
    for (const auto& r : Query("SELECT id, check_id::text, from_state, to_state FROM transitions "
                               "ORDER BY id")) {
      decided.push_back(
          {r[0].as<long long>(), r[1].as<std::string>(), r[2].as<int>(), r[3].as<int>()});
    }
    const long long failed = Count("SELECT count(*) FROM transitions WHERE delivery_state = 2");
    const Received received = ReceivedBy(*sample_hook_);

    // Delivered: unique webhook-ids; each must name one transition, and no transition may be
    // delivered under two webhook-ids.
    std::map<std::string, long long> transition_of_webhook;
    std::map<long long, int> webhook_ids_of_transition;
    for (const auto& d : received.deliveries) {
      const auto [it, first] = transition_of_webhook.emplace(d.webhook_id, d.transition_id);
      if (first) ++webhook_ids_of_transition[d.transition_id];
    }
    long long lost = 0, duplicated_under_new_id = 0, unknown = 0;
    std::set<long long> decided_ids;
    for (const auto& t : decided) {
      decided_ids.insert(t.id);
      if (!webhook_ids_of_transition.count(t.id)) ++lost;
    }
    for (const auto& [id, n] : webhook_ids_of_transition) {
      if (n > 1) duplicated_under_new_id += n - 1;
      if (!decided_ids.count(id)) ++unknown;
    }
    // Order per check: each delivery continues from the one before it, ids rising; the table's own
    // chain is continuous too.
    long long out_of_order = 0, broken_chain = 0;
    std::map<std::string, Delivery> last_delivered;
    for (const auto& d : received.deliveries) {
      auto it = last_delivered.find(d.check_id);
      if (it == last_delivered.end()) {
        if (d.previous_state != "INIT") ++out_of_order;
      } else if (d.transition_id <= it->second.transition_id ||
                 d.previous_state != it->second.state) {
        ++out_of_order;
      }
      last_delivered[d.check_id] = d;
    }
    std::map<std::string, int> last_to;
    for (const auto& t : decided) {
      const auto it = last_to.find(t.check_id);
      if (t.from_state != (it == last_to.end() ? 0 : it->second)) ++broken_chain;
      last_to[t.check_id] = t.to_state;
    }
    // False alerts: anything but the one INIT→UP for a steady target.
    long long false_alerts = 0;
    for (const auto& t : decided) {
      if (steady_.count(t.check_id) && !(t.from_state == 0 && t.to_state == 1)) ++false_alerts;
    }
    const long long flipping_transitions =
        static_cast<long long>(decided.size()) - static_cast<long long>(steady_.size());

    // Slots of the fault's window (every check is due each second): probed ones, and those the
    // stack counted as skipped (skipped_slots is per minute: the whole row's count). Printed, not
    // asserted: "every slot probed or counted" is issue 14 defect 5, owned elsewhere.
    const auto epoch = [](std::chrono::system_clock::time_point t) {
      return std::to_string(std::chrono::duration<double>(t.time_since_epoch()).count());
    };
    const long long window_probed = Count(
        "SELECT count(*) FROM (SELECT DISTINCT check_id, due_at FROM "
        "results WHERE due_at >= "
        "to_timestamp(" +
        epoch(window_begin_) + ") AND due_at < to_timestamp(" + epoch(window_end_) + ")) s");
    const long long window_slots = std::llround(kChecks * Seconds(window_end_ - window_begin_));
    const long long skipped = Count("SELECT coalesce(sum(count), 0) FROM skipped_slots");
    std::printf(
        "fault_matrix row=%s window_s=%.1f window_slots=%lld "
        "probed=%lld skipped_counted=%lld\n",
        row.c_str(), Seconds(window_end_ - window_begin_), window_slots, window_probed, skipped);
    std::printf(
        "fault_matrix row=%s checks=%d transitions=%zu delivered_unique=%zu "
        "lost=%lld "
        "failed=%lld repeats_same_id=%lld repeats_new_id=%lld unknown=%lld "
        "out_of_order=%lld "
        "broken_chain=%lld false_alerts=%lld recovery_s=%.2f bound_s=%.0f\n",
        row.c_str(), kChecks, decided.size(), transition_of_webhook.size(), lost, failed,
        received.duplicates, duplicated_under_new_id, unknown, out_of_order, broken_chain,
        false_alerts, recovery_s, bound_s);
    std::fflush(stdout);

    EXPECT_EQ(decided.size(), transition_of_webhook.size())
        << row << ": transitions decided == unique webhook-ids delivered";
    EXPECT_EQ(lost, 0) << row;
    EXPECT_EQ(failed, 0) << row << ": no delivery given up";
    EXPECT_EQ(duplicated_under_new_id, 0) << row << ": a repeat must reuse its webhook-id";
    EXPECT_EQ(unknown, 0) << row;
    EXPECT_EQ(out_of_order, 0) << row;
    EXPECT_EQ(broken_chain, 0) << row;
    EXPECT_EQ(false_alerts, 0) << row;
    EXPECT_GE(flipping_transitions, kFlippingPerTarget * 2 * 3)
        << row << ": the flipping targets flipped through the row";
    if (assert_slots) {
      EXPECT_GE(window_probed + skipped, window_slots - kChecks)
          << row << ": slots of the fault's window neither probed nor counted";
    }
    EXPECT_GE(recovery_s, 0) << row << ": not recovered within " << bound_s << " s";
    EXPECT_LE(recovery_s, bound_s) << row;
  }

  std::string database_url_;
  // NATS_URL of every daemon the row starts: the shared nats-server unless a row sets its own.
  std::string nats_url_;
  // More environment for every lokahid the row starts.
  std::map<std::string, std::string> lokahid_env_;
  int hook_port_ = 0;
  std::vector<int> target_ports_;
  std::unique_ptr<ChildProcess> sample_hook_;
  std::vector<std::unique_ptr<ChildProcess>> targets_;
  std::unique_ptr<ChildProcess> webhookworker_;
  std::set<std::string> flipping_, steady_;
  // The fault's window, from its injection to 5 s after recovery.
  std::chrono::system_clock::time_point window_begin_, window_end_;
};

}  // namespace lokahi::fault_stack
