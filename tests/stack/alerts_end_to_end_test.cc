// From an outage to the receiver: duke-of-york flips 200/500, lokahid schedules, healthworker
// probes and records transitions, webhookworker delivers, sample_hook logs what arrived.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <map>
#include <pqxx/pqxx>
#include <regex>
#include <set>
#include <thread>

#include "lokahi.grpc.pb.h"
#include "tests/support/daemon.h"
#include "tests/support/ports.h"
#include "tests/support/shared_services.h"

namespace lokahi {
namespace {

namespace pb = github::xe::lokahi;
using namespace std::chrono_literals;
using testing::Services;
using testing::WaitFor;

struct Delivered {
  std::string state;
  std::string previous_state;
  std::string webhook_id;
  long long transition_id = 0;
};

// Parses sample_hook's `event=webhook` lines for one check.
std::vector<Delivered> DeliveredTo(const testing::ChildProcess& sample_hook,
                                   const std::string& check_id) {
  static const std::regex kLine(
      R"(event=webhook check_id=(\S+) state=(\S+) previous_state=(\S+) .* webhook_id=(\S+) transition_id=(\d+))");
  std::vector<Delivered> out;
  std::istringstream log(sample_hook.Log());
  std::string line;
  while (std::getline(log, line)) {
    std::smatch m;
    if (std::regex_search(line, m, kLine) && m[1] == check_id) {
      out.push_back({m[2], m[3], m[4], std::stoll(m[5])});
    }
  }
  return out;
}

// Rows of `table` (results or transitions) recorded for one check.
long long CountFor(pqxx::connection& db, const std::string& table, const std::string& check_id) {
  pqxx::read_transaction txn(db);
  return txn
      .exec_params1("SELECT count(*) FROM " + table + " WHERE check_id = $1::uuid", check_id)[0]
      .as<long long>();
}

class AlertsEndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    database_url_ = Services().postgres.NewDatabase();
    hook_port_ = testing::FreePort();
    sample_hook_ = testing::StartDaemon("receivers/sample_hook", {{"PORT", std::to_string(hook_port_)}},
                                        hook_port_);
    StartDaemons();
  }

  void StartDaemons() {
    lokahid_port_ = testing::FreePort();
    lokahid_ = testing::StartDaemon("lokahid/lokahid",
                                    {{"DATABASE_URL", database_url_},
                                     {"NATS_URL", Services().nats.Url()},
                                     {"PORT", std::to_string(lokahid_port_)},
                                     {"LOKAHI_MIN_EVERY", "1"}},
                                    lokahid_port_);
    healthworker_ = testing::StartDaemon(
        "healthworker/healthworker", {{"DATABASE_URL", database_url_},
                                      {"NATS_URL", Services().nats.Url()},
                                      {"LOKAHI_BATCH_MAX_DELAY_MS", "50"}});
    StartWebhookworker();
    stub_ = pb::Checks::NewStub(grpc::CreateChannel("127.0.0.1:" + std::to_string(lokahid_port_),
                                                    grpc::InsecureChannelCredentials()));
  }

  void StartWebhookworker() {
    webhookworker_ = testing::StartDaemon(
        "webhookworker/webhookworker",
        {{"DATABASE_URL", database_url_}, {"NATS_URL", Services().nats.Url()}});
  }

  void StopDaemons() {
    for (auto* process : {&webhookworker_, &healthworker_, &lokahid_}) {
      const int status = (*process)->Stop(SIGTERM, 20s);
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << (*process)->Log();
      process->reset();
    }
  }

  std::unique_ptr<testing::ChildProcess> StartDuke(const std::string& period, int* port) {
    *port = testing::FreePort();
    return testing::StartDaemon("receivers/duke-of-york",
                                {{"PORT", std::to_string(*port)}, {"DUKE_PERIOD", period}}, *port);
  }

  std::string CreateCheck(int target_port) {
    pb::CreateOpts opts;
    opts.set_url("http://127.0.0.1:" + std::to_string(target_port) + "/");
    opts.set_webhook_url("http://127.0.0.1:" + std::to_string(hook_port_) +
                         "/twirp/github.xe.lokahi.Webhook/Handle");
    opts.set_every(1);
    opts.set_timeout_ms(1000);
    opts.set_playbook_url("https://wiki.example.com/duke-of-york");
    pb::Check check;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 20s);
    const auto status = stub_->Create(&context, opts, &check);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return check.id();
  }

  std::string database_url_;
  int hook_port_ = 0, lokahid_port_ = 0;
  std::unique_ptr<testing::ChildProcess> sample_hook_, lokahid_, healthworker_, webhookworker_;
  std::unique_ptr<pb::Checks::Stub> stub_;
};

TEST_F(AlertsEndToEndTest, FlappingTargetDeliversEveryTransitionOnceInOrder) {
  int duke_port = 0;
  auto duke = StartDuke("2", &duke_port);
  const auto id = CreateCheck(duke_port);

  ASSERT_TRUE(WaitFor([&] { return DeliveredTo(*sample_hook_, id).size() >= 3; }, 30s))
      << sample_hook_->Log();
  // Before any fault: each transition exactly once, in order, alternating DOWN / UP.
  const auto clean = DeliveredTo(*sample_hook_, id);
  std::set<std::string> clean_ids;
  for (size_t i = 0; i < clean.size(); ++i) {
    EXPECT_TRUE(clean_ids.insert(clean[i].webhook_id).second)
        << "sent twice: " << clean[i].webhook_id;
    EXPECT_EQ(clean[i].previous_state, i == 0 ? "INIT" : clean[i - 1].state) << "delivery " << i;
    if (i > 0) {
      EXPECT_TRUE(clean[i].state == "UP" || clean[i].state == "DOWN") << clean[i].state;
    }
  }
  // A transition while the webhookworker is down is delivered when it returns.
  webhookworker_->Stop(SIGKILL, 1s);
  const auto before_outage = DeliveredTo(*sample_hook_, id).size();
  std::this_thread::sleep_for(4500ms);  // at least two flips of duke
  EXPECT_EQ(DeliveredTo(*sample_hook_, id).size(), before_outage);
  StartWebhookworker();
  ASSERT_TRUE(WaitFor([&] { return DeliveredTo(*sample_hook_, id).size() >= before_outage + 2; },
                      20s));
  duke->Stop(SIGTERM);  // no more flips from here: ERROR follows, then nothing
  std::this_thread::sleep_for(4s);

  // A kill -9 between a receiver's 200 and the worker recording it may repeat that delivery:
  // the repeat carries the same webhook-id (the receiver's idempotency key) and the same body.
  const auto received = DeliveredTo(*sample_hook_, id);
  std::vector<Delivered> delivered;
  std::map<std::string, Delivered> by_webhook_id;
  for (const auto& d : received) {
    const auto [it, first] = by_webhook_id.emplace(d.webhook_id, d);
    if (first) {
      delivered.push_back(d);
    } else {
      EXPECT_EQ(it->second.state, d.state) << "a repeat is the same transition";
      EXPECT_EQ(it->second.transition_id, d.transition_id);
    }
  }
  EXPECT_LE(received.size() - delivered.size(), 1u) << "at most the one in flight at the kill";
  ASSERT_GE(delivered.size(), 5u);
  EXPECT_EQ(delivered.front().previous_state, "INIT");
  for (size_t i = 1; i < delivered.size(); ++i) {
    EXPECT_EQ(delivered[i].previous_state, delivered[i - 1].state)
        << "delivery " << i << " continues from the one before: in order, none missing";
    EXPECT_GT(delivered[i].transition_id, delivered[i - 1].transition_id);
    EXPECT_NE(delivered[i].state, delivered[i].previous_state);
  }
  // Duke alternates: the middle of the sequence is DOWN, UP, DOWN, ...
  for (size_t i = 1; i + 1 < delivered.size(); ++i) {
    EXPECT_TRUE(delivered[i].state == "UP" || delivered[i].state == "DOWN") << delivered[i].state;
  }
  EXPECT_EQ(delivered.back().state, "ERROR") << "a stopped target is an ERROR";
}

TEST_F(AlertsEndToEndTest, RestartingEveryDaemonWhileNothingChangesSendsNoWebhook) {
  int duke_port = 0;
  auto duke = StartDuke("86400", &duke_port);  // stays up
  const auto id = CreateCheck(duke_port);
  ASSERT_TRUE(WaitFor([&] { return DeliveredTo(*sample_hook_, id).size() == 1; }, 20s));
  EXPECT_EQ(DeliveredTo(*sample_hook_, id)[0].state, "UP");

  StopDaemons();  // each flushes what it holds before exiting
  pqxx::connection db(database_url_);
  const auto results_before = CountFor(db, "results", id);
  StartDaemons();
  // The window must see the restarted stack probe (a window that only sleeps would pass if it
  // never did): several new results recorded, none of them a transition.
  ASSERT_TRUE(WaitFor([&] { return CountFor(db, "results", id) >= results_before + 3; }, 30s))
      << "the restarted stack probes the check\n"
      << healthworker_->Log();
  EXPECT_EQ(CountFor(db, "transitions", id), 1) << "the restart recorded a transition";
  // A delivery of a wrongly recorded transition would follow within a sweep (1 s).
  std::this_thread::sleep_for(2s);
  EXPECT_EQ(DeliveredTo(*sample_hook_, id).size(), 1u)
      << "peers re-alert after a restart; we must not\n"
      << sample_hook_->Log();
}

}  // namespace
}  // namespace lokahi
