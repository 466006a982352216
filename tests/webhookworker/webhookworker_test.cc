// The real webhookworker binary against a real Postgres, a real nats-server and real HTTP
// receivers on 127.0.0.1. Transitions are inserted with SQL, as the healthworker would.

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "internal.pb.h"
#include "lib/auth/base64.h"
#include "lib/nats/nats_client.h"
#include "lib/nats/subjects.h"
#include "lib/webhook/signature.h"
#include "lib/webhook/url_redaction.h"
#include "lokahi.grpc.pb.h"
#include "lokahi.pb.h"
#include "tests/lib/webhook/outbox_rows.h"
#include "tests/lib/webhook/receiver.h"
#include "tests/support/daemon.h"
#include "tests/support/ports.h"
#include "tests/support/shared_services.h"

namespace lokahi::webhookworker {
namespace {

using namespace std::chrono_literals;
using lokahi::testing::ChildProcess;
using lokahi::testing::Services;
using lokahi::testing::WaitFor;
using webhook::testing::Answer;
using webhook::testing::ReceivedRequest;
using webhook::testing::Receiver;
using webhook::testrows::CheckRow;
using webhook::testrows::TransitionRow;

nats::Library& NatsLibrary() {
  static nats::Library library;
  return library;
}

// User plus system CPU time a live process has used so far, from /proc/<pid>/stat.
double CpuSeconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14 || i == 15) ticks += std::stod(field);  // utime, stime
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::string Id(int64_t transition_id) { return "tr_" + std::to_string(transition_id); }

class WebhookWorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    database_url_ = webhook::testrows::NewMigratedDatabase();
    sql_ = std::make_unique<pqxx::connection>(database_url_);
  }

  std::unique_ptr<ChildProcess> StartWorker(std::map<std::string, std::string> extra = {}) {
    std::map<std::string, std::string> env = {{"DATABASE_URL", database_url_},
                                              {"NATS_URL", Services().nats.Url()},
                                              {"LOKAHI_WEBHOOK_TIMEOUT_MS", "3000"},
                                              {"LOKAHI_SWEEP_INTERVAL_MS", "200"}};
    for (auto& [k, v] : extra) env[k] = v;
    auto worker = lokahi::testing::StartDaemon("webhookworker/webhookworker", env);
    const bool started = WaitFor(
        [&] {
          return worker->Log().find("event=started") != std::string::npos || !worker->Running();
        },
        30s);
    if (!started || !worker->Running()) {
      ADD_FAILURE() << "webhookworker did not start:\n" << worker->Log();
    }
    return worker;
  }

  std::string Check(const std::string& webhook_url, const std::string& secret = "",
                    int format = 0) {
    CheckRow row;
    row.webhook_url = webhook_url;
    row.webhook_secret = secret;
    row.webhook_format = format;
    return webhook::testrows::InsertCheck(*sql_, row);
  }

  int64_t Transition(const std::string& check_id, int from = 1, int to = 2,
                     const std::string& at_sql = "now()") {
    TransitionRow row;
    row.check_id = check_id;
    row.from_state = from;
    row.to_state = to;
    row.at_sql = at_sql;
    return webhook::testrows::InsertTransition(*sql_, row);
  }

  // `checks` checks, each with three transitions (INIT->UP->DOWN->UP).
  struct Outbox {
    std::vector<std::vector<int64_t>> per_check;
    std::vector<int64_t> all;
  };
  Outbox ChecksWithThreeTransitions(int checks, const std::string& webhook_url) {
    Outbox outbox;
    for (int c = 0; c < checks; ++c) {
      const auto check = Check(webhook_url);
      outbox.per_check.push_back(
          {Transition(check, 0, 1), Transition(check, 1, 2), Transition(check, 2, 1)});
      outbox.all.insert(outbox.all.end(), outbox.per_check.back().begin(),
                        outbox.per_check.back().end());
    }
    return outbox;
  }

  int DeliveryState(int64_t id) { return webhook::testrows::ReadOutbox(*sql_, id).delivery_state; }

  bool AllFinal(const std::vector<int64_t>& ids, int state = 1) {
    for (auto id : ids) {
      if (DeliveryState(id) != state) return false;
    }
    return true;
  }

  // lokahid on the same database, for what users see through the API (Status, Deliveries).
  struct Api {
    std::unique_ptr<ChildProcess> process;
    std::unique_ptr<github::xe::lokahi::Checks::Stub> stub;
  };
  Api StartApi() {
    Api api;
    const int port = lokahi::testing::FreePort();
    api.process = lokahi::testing::StartDaemon("lokahid/lokahid",
                                               {{"DATABASE_URL", database_url_},
                                                {"NATS_URL", Services().nats.Url()},
                                                {"PORT", std::to_string(port)}},
                                               port);
    api.stub = github::xe::lokahi::Checks::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
    return api;
  }

  github::xe::lokahi::Delivery DeliveryShown(Api& api, const std::string& check_id,
                                             int64_t transition_id) {
    github::xe::lokahi::CheckID request;
    request.set_id(check_id);
    github::xe::lokahi::DeliveriesPage page;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 20s);
    const auto status = api.stub->Deliveries(&context, request, &page);
    EXPECT_TRUE(status.ok()) << status.error_message();
    for (const auto& d : page.deliveries()) {
      if (d.transition_id() == transition_id) return d;
    }
    ADD_FAILURE() << "Deliveries does not show transition " << transition_id;
    return {};
  }

  std::string database_url_;
  std::unique_ptr<pqxx::connection> sql_;
};

std::string Metrics(int port) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(5);
  client.set_read_timeout(5);
  const auto answer = client.Get("/metrics");
  return answer ? answer->body : std::string();
}

// Per check (by transition id order), the webhook-ids of the requests in arrival order never go
// back, and the delivered ones are exactly `expected`, in order.
void ExpectInOrder(const std::vector<ReceivedRequest>& requests,
                   const std::vector<int64_t>& expected) {
  std::set<std::string> ours;
  for (auto id : expected) ours.insert(Id(id));
  std::vector<std::string> seen, delivered;
  for (const auto& r : requests) {
    if (!ours.count(r.webhook_id)) continue;
    seen.push_back(r.webhook_id);
    if (r.answered_status / 100 == 2) delivered.push_back(r.webhook_id);
  }
  std::vector<std::string> expected_ids;
  for (auto id : expected) expected_ids.push_back(Id(id));
  EXPECT_EQ(delivered, expected_ids);
  const auto position = [&](const std::string& id) {
    return std::find(expected_ids.begin(), expected_ids.end(), id) - expected_ids.begin();
  };
  for (size_t i = 1; i < seen.size(); ++i) {
    EXPECT_LE(position(seen[i - 1]), position(seen[i]))
        << seen[i] << " was sent before " << seen[i - 1] << " was finished";
  }
}

TEST_F(WebhookWorkerTest, DeliversOneTransitionWithEveryHeaderAndAStableId) {
  int calls = 0;
  Receiver receiver([&](const ReceivedRequest&) {
    return Answer{++calls == 1 ? 500 : 204};  // the first attempt fails: the retry must match
  });
  const std::string secret = "whsec_" + auth::Base64Encode("per-check signing key");
  const auto check = Check(receiver.Url("/hook/T1/secret?token=abc"), secret);
  const auto t = Transition(check, 1, 3);
  {
    webhook::testrows::InsertResult(*sql_, check, 2000000, 200, 0, "now() - interval '1 hour'");
    webhook::testrows::InsertResult(*sql_, check, 4000000, 200, 0, "now() - interval '2 hours'");
  }
  auto worker = StartWorker();
  ASSERT_TRUE(WaitFor([&] { return DeliveryState(t) == 1; }, 20s)) << worker->Log();

  const auto requests = receiver.Requests();
  ASSERT_EQ(requests.size(), 2u);
  const auto key = webhook::SigningKey::Parse(secret);
  for (const auto& r : requests) {
    EXPECT_EQ(r.path, "/hook/T1/secret");
    EXPECT_EQ(r.webhook_id, Id(t));
    EXPECT_EQ(r.content_type, "application/protobuf");
    EXPECT_EQ(r.accept, "application/protobuf");
    EXPECT_EQ(r.user_agent, "lokahi-cpp/" LOKAHI_TEST_VERSION " (+https://github.com/Xe/lokahi)");
    const long long timestamp = std::stoll(r.webhook_timestamp);
    EXPECT_NEAR(static_cast<double>(timestamp), static_cast<double>(time(nullptr)), 30);
    EXPECT_EQ(r.webhook_signature, webhook::SignatureHeader(*key, r.webhook_id, timestamp, r.body));

    github::xe::lokahi::CheckStatus status;
    ASSERT_TRUE(status.ParseFromString(r.body));
    EXPECT_EQ(status.check().id(), check);
    EXPECT_EQ(status.check().state(), github::xe::lokahi::Check::ERROR);
    EXPECT_EQ(status.check().every(), 60);
    EXPECT_EQ(status.check().url(), "http://127.0.0.1:9/health");
    EXPECT_EQ(status.check().playbook_url(), "https://wiki.example.com/runbook");
    EXPECT_EQ(status.previous_state(), github::xe::lokahi::Check::UP);
    EXPECT_EQ(status.transition_id(), t);
    EXPECT_EQ(status.resp_status_code(), 503);
    EXPECT_EQ(status.last_response_time_nanoseconds(), 1500000);
    EXPECT_DOUBLE_EQ(status.histogram_data().min_nanoseconds(), 2e6);
    EXPECT_DOUBLE_EQ(status.histogram_data().max_nanoseconds(), 4e6);
    EXPECT_DOUBLE_EQ(status.histogram_data().mean_nanoseconds(), 3e6);
  }
  EXPECT_EQ(requests[0].answered_status, 500);
  EXPECT_EQ(requests[1].answered_status, 204);

  const auto row = webhook::testrows::ReadOutbox(*sql_, t);
  EXPECT_EQ(row.attempts, 2);
  EXPECT_TRUE(row.delivered_at_set);
  EXPECT_EQ(row.last_status_code, 204);
  pqxx::read_transaction txn(*sql_);
  EXPECT_GT(
      txn.exec_params1("SELECT webhook_response_time_ns FROM checks WHERE id = $1::uuid", check)[0]
          .as<int64_t>(),
      0);
  txn.commit();

  // Logs name where the webhook went, never its path or query secrets.
  const auto log = worker->Log();
  EXPECT_NE(log.find("event=delivery_attempt_failed"), std::string::npos) << log;
  EXPECT_EQ(log.find("secret"), std::string::npos) << log;
  EXPECT_EQ(log.find("token"), std::string::npos) << log;
  EXPECT_EQ(worker->Stop(SIGTERM), 0);
}

TEST_F(WebhookWorkerTest, JsonFormatSignedWithTheGlobalSecret) {
  Receiver receiver;
  const auto check = Check(receiver.Url(), "", 1);
  const auto t = Transition(check, 0, 1);
  const std::string global = "whsec_" + auth::Base64Encode("global key");
  auto worker = StartWorker({{"LOKAHI_WEBHOOK_SECRET", global}});
  ASSERT_TRUE(WaitFor([&] { return DeliveryState(t) == 1; }, 20s)) << worker->Log();
  const auto requests = receiver.Requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& r = requests[0];
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_NE(r.body.find("\"transition_id\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\"previous_state\":\"INIT\""), std::string::npos) << r.body;
  EXPECT_EQ(r.webhook_signature,
            webhook::SignatureHeader(*webhook::SigningKey::Parse(global), r.webhook_id,
                                     std::stoll(r.webhook_timestamp), r.body));
  // The effective config is printed with the secret scrubbed.
  EXPECT_EQ(worker->Log().find(global.substr(6)), std::string::npos);
}

TEST_F(WebhookWorkerTest, TransitionsOfOneCheckArriveInOrder) {
  Receiver receiver;
  const auto check = Check(receiver.Url());
  const std::vector<int64_t> ids = {Transition(check, 0, 1), Transition(check, 1, 2),
                                    Transition(check, 2, 1)};
  auto worker = StartWorker();
  ASSERT_TRUE(WaitFor([&] { return AllFinal(ids); }, 20s)) << worker->Log();
  ExpectInOrder(receiver.Requests(), ids);
  EXPECT_EQ(receiver.Count(), 3u);
}

TEST_F(WebhookWorkerTest, ReceiverFailingForAWhileGetsEverythingInOrderAfterRecovery) {
  const auto recovers_at = std::chrono::steady_clock::now() + 3s;
  Receiver receiver([&](const ReceivedRequest&) {
    return Answer{std::chrono::steady_clock::now() < recovers_at ? 500 : 200};
  });
  const auto [per_check, all] = ChecksWithThreeTransitions(3, receiver.Url());
  auto worker = StartWorker();
  ASSERT_TRUE(WaitFor([&] { return AllFinal(all); }, 90s)) << worker->Log();
  const auto requests = receiver.Requests();
  EXPECT_GT(std::count_if(requests.begin(), requests.end(),
                          [](const ReceivedRequest& r) { return r.answered_status == 500; }),
            0);
  for (const auto& ids : per_check) ExpectInOrder(requests, ids);
}

TEST_F(WebhookWorkerTest, KilledWorkerLosesNothingAndRepeatsKeepTheirId) {
  Receiver receiver([](const ReceivedRequest&) {
    std::this_thread::sleep_for(700ms);
    return Answer{200};
  });
  const auto [per_check, all] = ChecksWithThreeTransitions(6, receiver.Url());
  auto first = StartWorker();
  ASSERT_TRUE(WaitFor([&] { return receiver.Count() >= 2; }, 20s)) << first->Log();
  // Deliveries are in flight at the receiver right now.
  first->Stop(SIGKILL);
  EXPECT_FALSE(AllFinal(all));

  auto second = StartWorker();
  ASSERT_TRUE(WaitFor([&] { return AllFinal(all); }, 90s)) << second->Log();
  const auto delivered = receiver.DeliveredCounts();
  EXPECT_EQ(delivered.size(), all.size());
  for (auto id : all) EXPECT_GE(delivered.count(Id(id)), 1u) << id;
  for (const auto& r : receiver.Requests()) {
    github::xe::lokahi::CheckStatus status;
    ASSERT_TRUE(status.ParseFromString(r.body));
    EXPECT_EQ(r.webhook_id, Id(status.transition_id())) << "a repeat must carry the same id";
  }
  for (const auto& ids : per_check) {
    // Order holds across the crash for what was delivered; a repeat of an in-flight transition
    // may come again, but never after its successor.
    std::vector<std::string> firsts;
    for (const auto& r : receiver.Requests()) {
      if (std::find_if(ids.begin(), ids.end(),
                       [&](int64_t id) { return Id(id) == r.webhook_id; }) == ids.end()) {
        continue;
      }
      if (std::find(firsts.begin(), firsts.end(), r.webhook_id) == firsts.end()) {
        firsts.push_back(r.webhook_id);
      }
    }
    EXPECT_EQ(firsts, (std::vector<std::string>{Id(ids[0]), Id(ids[1]), Id(ids[2])}));
  }
}

TEST_F(WebhookWorkerTest, TransitionInsertedWhileTheWorkerIsDownIsDeliveredOnReturn) {
  Receiver receiver;
  const auto check = Check(receiver.Url());
  const auto before = Transition(check, 0, 1);
  auto worker = StartWorker();
  ASSERT_TRUE(WaitFor([&] { return DeliveryState(before) == 1; }, 20s)) << worker->Log();
  const int status = worker->Stop(SIGTERM);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << worker->Log();

  const auto during = Transition(check, 1, 2);
  EXPECT_EQ(DeliveryState(during), 0);
  worker = StartWorker();
  ASSERT_TRUE(WaitFor([&] { return DeliveryState(during) == 1; }, 20s)) << worker->Log();
  ExpectInOrder(receiver.Requests(), {before, during});
}

TEST_F(WebhookWorkerTest, NudgeWakesDeliveryLongBeforeTheSweep) {
  Receiver receiver;
  const auto check = Check(receiver.Url());
  auto worker = StartWorker({{"LOKAHI_SWEEP_INTERVAL_MS", "10000"}});
  nats::Library& library = NatsLibrary();
  (void)library;
  nats::Connection publisher({Services().nats.Url(), "webhookworker-test", false});
  // Let the worker's subscription and its first sweep settle.
  std::this_thread::sleep_for(1s);

  const auto t = Transition(check, 0, 1);
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(receiver.Count(), 0u) << "the sweep is 10 s away: nothing should have gone yet";

  lokahi::internal::EgressNudge nudge;
  nudge.add_transition_ids(t);
  const auto nudged_at = std::chrono::steady_clock::now();
  publisher.Publish(nats::Subjects::kWebhookEgress, nudge.SerializeAsString());
  publisher.Flush(5s);
  ASSERT_TRUE(WaitFor([&] { return receiver.Count() >= 1; }, 2s)) << worker->Log();
  EXPECT_LT(receiver.Requests()[0].arrived_at - nudged_at, 2s);
}

TEST_F(WebhookWorkerTest, TwoWorkersDeliverEachTransitionOnce) {
  Receiver receiver([](const ReceivedRequest&) {
    std::this_thread::sleep_for(50ms);
    return Answer{200};
  });
  // Both run before the work appears; each holds at most 16 transfers, so neither can take all
  // 40 checks' transitions alone.
  auto a = StartWorker({{"LOKAHI_WEBHOOK_CONCURRENCY", "16"}});
  auto b = StartWorker({{"LOKAHI_WEBHOOK_CONCURRENCY", "16"}});
  const auto [per_check, all] = ChecksWithThreeTransitions(40, receiver.Url());
  ASSERT_TRUE(WaitFor([&] { return AllFinal(all); }, 90s)) << a->Log() << b->Log();
  const auto delivered = receiver.DeliveredCounts();
  EXPECT_EQ(delivered.size(), all.size());
  for (const auto& [id, count] : delivered) EXPECT_EQ(count, 1) << id;
  EXPECT_EQ(receiver.Count(), all.size());
  for (const auto& ids : per_check) ExpectInOrder(receiver.Requests(), ids);
  // Both took part: each prints its counts when it stops, and only when it claimed something.
  EXPECT_EQ(a->Stop(SIGTERM), 0);
  EXPECT_EQ(b->Stop(SIGTERM), 0);
  EXPECT_NE(a->Log().find("event=deliveries"), std::string::npos) << a->Log();
  EXPECT_NE(b->Log().find("event=deliveries"), std::string::npos) << b->Log();
}

TEST_F(WebhookWorkerTest, PastTheDeadlineATransitionFailsAndTheNextOneProceeds) {
  std::atomic<int64_t> always_failing{0};
  Receiver receiver([&](const ReceivedRequest& r) {
    return Answer{r.webhook_id == Id(always_failing.load()) ? 500 : 200};
  });
  const auto check = Check(receiver.Url());
  const auto stale = Transition(check, 0, 1, "now() - interval '1 hour'");
  const auto failing = Transition(check, 1, 2);
  always_failing = failing;
  auto worker = StartWorker({{"LOKAHI_WEBHOOK_DEADLINE", "5"}});
  // The next transition comes a while after the failing one, so its own 5 s deadline outlasts
  // the failing one's (which is given up before its deadline passes).
  ASSERT_TRUE(WaitFor([&] { return receiver.Count() >= 1; }, 20s)) << worker->Log();
  std::this_thread::sleep_for(1s);
  const auto next = Transition(check, 2, 1);
  ASSERT_TRUE(WaitFor([&] { return DeliveryState(next) == 1; }, 30s)) << worker->Log();
  EXPECT_EQ(DeliveryState(stale), 2);
  EXPECT_EQ(DeliveryState(failing), 2);
  const auto failed_row = webhook::testrows::ReadOutbox(*sql_, failing);
  EXPECT_EQ(failed_row.last_status_code, 500);
  EXPECT_GE(failed_row.attempts, 1);
  const auto requests = receiver.Requests();
  for (const auto& r : requests) EXPECT_NE(r.webhook_id, Id(stale)) << "stale alert was sent";
  ASSERT_FALSE(requests.empty());
  EXPECT_EQ(requests.back().webhook_id, Id(next));
  EXPECT_NE(worker->Log().find("event=delivery_failed"), std::string::npos);
}

TEST_F(WebhookWorkerTest, RetryAfterIsHonoured) {
  int calls = 0;
  Receiver receiver([&](const ReceivedRequest&) {
    return ++calls == 1 ? Answer{503, "2"} : Answer{200};
  });
  const auto t = Transition(Check(receiver.Url()), 0, 1);
  auto worker = StartWorker();
  ASSERT_TRUE(WaitFor([&] { return DeliveryState(t) == 1; }, 20s)) << worker->Log();
  const auto requests = receiver.Requests();
  ASSERT_EQ(requests.size(), 2u);
  // Without Retry-After the first retry waits at most 1 s.
  EXPECT_GE(requests[1].arrived_at - requests[0].arrived_at, 1900ms);
}

TEST_F(WebhookWorkerTest, RedirectsAreNotFollowed) {
  Receiver receiver([](const ReceivedRequest& r) {
    return r.path == "/hook" ? Answer{302, "", "/elsewhere"} : Answer{200};
  });
  const auto t = Transition(Check(receiver.Url()), 0, 1);
  auto worker = StartWorker();
  ASSERT_TRUE(WaitFor(
      [&] {
        return webhook::testrows::ReadOutbox(*sql_, t).attempts >= 1 &&
               webhook::testrows::ReadOutbox(*sql_, t).last_status_code == 302;
      },
      20s))
      << worker->Log();
  for (const auto& r : receiver.Requests()) EXPECT_EQ(r.path, "/hook");
  EXPECT_EQ(DeliveryState(t), 0);
}

TEST_F(WebhookWorkerTest, SigtermFinishesInFlightDeliveriesAndExitsZero) {
  Receiver receiver([](const ReceivedRequest&) {
    std::this_thread::sleep_for(1500ms);
    return Answer{200};
  });
  std::vector<int64_t> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(Transition(Check(receiver.Url()), 0, 1));
  auto worker = StartWorker({{"LOKAHI_WEBHOOK_TIMEOUT_MS", "5000"}});
  ASSERT_TRUE(WaitFor([&] { return receiver.Count() >= 1 || !worker->Running(); }, 20s));
  ASSERT_EQ(kill(worker->pid(), SIGTERM), 0);
  const int code = worker->WaitExit(20s);
  EXPECT_EQ(code, 0) << worker->Log();
  // What was in flight finished; nothing stays leased to a process that is gone.
  EXPECT_TRUE(AllFinal(ids)) << worker->Log();
  pqxx::read_transaction txn(*sql_);
  EXPECT_EQ(
      txn.exec1("SELECT count(*) FROM transitions WHERE lease_until IS NOT NULL")[0].as<int>(), 0);
}

TEST_F(WebhookWorkerTest, SigtermWithAHungReceiverHandsTheTransitionBackPromptly) {
  Receiver receiver([](const ReceivedRequest&) {
    std::this_thread::sleep_for(6s);
    return Answer{200};
  });
  const auto t = Transition(Check(receiver.Url()), 0, 1);
  auto worker = StartWorker({{"LOKAHI_WEBHOOK_TIMEOUT_MS", "1500"}});
  ASSERT_TRUE(WaitFor([&] { return webhook::testrows::ReadOutbox(*sql_, t).leased; }, 20s));
  const auto stopping = std::chrono::steady_clock::now();
  ASSERT_EQ(kill(worker->pid(), SIGTERM), 0);
  EXPECT_EQ(worker->WaitExit(10s), 0) << worker->Log();
  EXPECT_LT(std::chrono::steady_clock::now() - stopping, 5s);
  const auto row = webhook::testrows::ReadOutbox(*sql_, t);
  EXPECT_FALSE(row.leased) << "another worker could not take it over before the lease ran out";
  EXPECT_EQ(row.delivery_state, 0);
  EXPECT_LE(row.next_attempt_in_seconds, 2.0);
}

TEST_F(WebhookWorkerTest, MassOutageIsSentConcurrently) {
  constexpr int kTransitions = 10000;
  Receiver receiver([](const ReceivedRequest&) {
    std::this_thread::sleep_for(5ms);
    return Answer{200};
  });
  {
    pqxx::work txn(*sql_);
    txn.exec_params(
        "WITH c AS (INSERT INTO checks (url, webhook_url, every_seconds, timeout_ms)"
        " SELECT 'http://127.0.0.1:9/health', $1, 60, 5000 FROM generate_series(1, $2)"
        " RETURNING id)"
        " INSERT INTO transitions (check_id, from_state, to_state, at, slot_ms, status_code,"
        " latency_ns) SELECT id, 1, 3, now(), 0, 0, 10000000000 FROM c",
        receiver.Url(), kTransitions);
    txn.commit();
  }
  const auto started = std::chrono::steady_clock::now();
  auto worker = StartWorker({{"LOKAHI_WEBHOOK_TIMEOUT_MS", "10000"}});
  const auto delivered = [&] {
    pqxx::read_transaction txn(*sql_);
    return txn.exec1("SELECT count(*) FROM transitions WHERE delivery_state = 1")[0].as<int>();
  };
  ASSERT_TRUE(WaitFor([&] { return delivered() == kTransitions; }, 240s)) << worker->Log();
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started);
  std::cout << "mass outage: " << kTransitions << " webhooks in " << seconds.count() << " s ("
            << kTransitions / seconds.count() << "/s), receiver concurrency peak "
            << receiver.MaxConcurrent() << ", worker CPU " << CpuSeconds(worker->pid()) << " s\n";
  EXPECT_EQ(receiver.DeliveredCounts().size(), static_cast<size_t>(kTransitions));
  EXPECT_GT(receiver.MaxConcurrent(), 8) << "deliveries were not concurrent";
}

}  // namespace
}  // namespace lokahi::webhookworker

namespace lokahi::webhookworker {
namespace {

TEST_F(WebhookWorkerTest, EgressPolicyKeepsWebhooksFromDeniedAddresses) {
  Receiver receiver;
  const auto t = Transition(Check(receiver.Url()), 0, 1);
  auto worker = StartWorker({{"LOKAHI_EGRESS_DENY", "127.0.0.0/8,::1/128"}});
  ASSERT_TRUE(
      WaitFor([&] { return !webhook::testrows::ReadOutbox(*sql_, t).last_error.empty(); }, 20s))
      << worker->Log();
  EXPECT_EQ(webhook::testrows::ReadOutbox(*sql_, t).last_error,
            "no answer: address 127.0.0.1 denied by LOKAHI_EGRESS_DENY");
  EXPECT_EQ(DeliveryState(t), 0);
  EXPECT_EQ(receiver.Count(), 0u);
}

TEST_F(WebhookWorkerTest, DatabaseErrorsAreSurvivedAndDeliveryResumes) {
  Receiver receiver;
  const auto check = Check(receiver.Url());
  auto worker = StartWorker();
  {
    // The outbox disappears for a moment, as in a failover: every claim fails.
    pqxx::work txn(*sql_);
    txn.exec0("ALTER TABLE transitions RENAME TO transitions_away");
    txn.commit();
  }
  ASSERT_TRUE(
      WaitFor([&] { return worker->Log().find("event=claim_failed") != std::string::npos; }, 10s))
      << worker->Log();
  {
    pqxx::work txn(*sql_);
    txn.exec0("ALTER TABLE transitions_away RENAME TO transitions");
    txn.commit();
  }
  const auto t = Transition(check, 0, 1);
  ASSERT_TRUE(WaitFor([&] { return DeliveryState(t) == 1; }, 20s)) << worker->Log();
  EXPECT_TRUE(worker->Running());
  EXPECT_EQ(receiver.Count(), 1u);
}

TEST_F(WebhookWorkerTest, UnreachableReceiverIsLoggedWithoutTheUrlSecrets) {
  const int closed_port = lokahi::testing::FreePort();
  const auto t = Transition(Check("http://alice:hunter2@127.0.0.1:" + std::to_string(closed_port) +
                                  "/T0001/secret-path-token?key=querysecret"),
                            0, 1);
  auto worker = StartWorker();
  ASSERT_TRUE(WaitFor(
      [&] {
        return !webhook::testrows::ReadOutbox(*sql_, t).last_error.empty() &&
               worker->Log().find("event=delivery_attempt_failed") != std::string::npos;
      },
      20s))
      << worker->Log();
  const auto row = webhook::testrows::ReadOutbox(*sql_, t);
  EXPECT_EQ(row.delivery_state, 0);
  EXPECT_EQ(row.last_status_code, 0);
  EXPECT_NE(row.last_error, "");
  const auto log = worker->Log();
  EXPECT_NE(log.find("url=http://127.0.0.1:" + std::to_string(closed_port) + "/…"),
            std::string::npos)
      << log;
  for (const char* secret : {"alice", "hunter2", "T0001", "secret-path-token", "querysecret"}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << secret << " leaked into:\n" << log;
  }
}

// Issue 13 defect 15: Standard Webhooks' 410 Gone means the endpoint was removed: not retried,
// failed with that reason, and shown so by the Deliveries API (`lokahictl deliveries`).
TEST_F(WebhookWorkerTest, GoneStopsRetriesAndDeliveriesShowsWhy) {
  Receiver receiver([](const ReceivedRequest&) { return Answer{410}; });
  const auto check = Check(receiver.Url());
  const auto gone = Transition(check, 0, 1);
  auto worker = StartWorker();
  ASSERT_TRUE(WaitFor([&] { return DeliveryState(gone) == 2; }, 15s)) << worker->Log();
  // Failed is final (only pending rows are claimed), so this is every attempt there will be.
  const auto row = webhook::testrows::ReadOutbox(*sql_, gone);
  EXPECT_EQ(row.attempts, 1);
  EXPECT_EQ(receiver.Count(), 1u);
  auto api = StartApi();
  const auto shown = DeliveryShown(api, check, gone);
  EXPECT_EQ(shown.outcome(), "failed");
  EXPECT_EQ(shown.last_status_code(), 410);
  EXPECT_NE(shown.last_error().find("410 Gone"), std::string::npos) << shown.last_error();
  EXPECT_NE(worker->Log().find("level=error component=webhookworker event=delivery_failed"),
            std::string::npos);
}

// Issue 14 defect 7: a delivery given up for good (deadline, or 410) is counted on /metrics, logged
// at error level, shown by Deliveries, and told once to the operator's webhook, through an outbox
// (the operator's receiver failing once loses nothing).
TEST_F(WebhookWorkerTest, AbandonedDeliveryIsCountedLoggedShownAndToldToTheOperatorOnce) {
  std::atomic<int> ops_calls{0};
  Receiver ops([&](const ReceivedRequest&) { return Answer{++ops_calls == 1 ? 503 : 200}; });
  Receiver failing([](const ReceivedRequest&) { return Answer{500}; });
  Receiver gone([](const ReceivedRequest&) { return Answer{410}; });
  const auto late_check = Check(failing.Url("/hooks/T0001/secret-path-token"));
  const auto late = Transition(late_check, 0, 1, "now() - interval '1 hour'");
  const auto removed_check = Check(gone.Url());
  const auto removed = Transition(removed_check, 1, 2);
  const int metrics_port = lokahi::testing::FreePort();
  auto worker = StartWorker({{"LOKAHI_WEBHOOK_DEADLINE", "60"},
                             {"LOKAHI_WEBHOOK_MAX_BACKOFF_MS", "1000"},
                             {"LOKAHI_METRICS_PORT", std::to_string(metrics_port)},
                             {"LOKAHI_OPS_WEBHOOK_URL", ops.Url("/ops")}});
  ASSERT_TRUE(WaitFor([&] { return DeliveryState(late) == 2 && DeliveryState(removed) == 2; }, 20s))
      << worker->Log();
  ASSERT_TRUE(WaitFor([&] { return ops.DeliveredCounts().size() == 2; }, 20s)) << worker->Log();

  const auto metrics = Metrics(metrics_port);
  EXPECT_NE(metrics.find("lokahi_webhook_abandoned_total{reason=\"deadline\"} 1"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("lokahi_webhook_abandoned_total{reason=\"gone\"} 1"), std::string::npos)
      << metrics;
  const auto log = worker->Log();
  EXPECT_NE(log.find("level=error component=webhookworker "
                     "event=delivery_failed transition_id=" +
                     std::to_string(late)),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("reason=gone"), std::string::npos) << log;
  auto api = StartApi();
  EXPECT_EQ(DeliveryShown(api, late_check, late).outcome(), "failed");
  EXPECT_NE(DeliveryShown(api, late_check, late).last_error().find("deadline"), std::string::npos);
  EXPECT_EQ(DeliveryShown(api, removed_check, removed).outcome(), "failed");

  // Once each: the operator's receiver refused the first attempt, and it was tried again.
  EXPECT_EQ(worker->Stop(SIGTERM), 0);
  const auto counts = ops.DeliveredCounts();
  EXPECT_EQ(counts, (std::map<std::string, int>{{"ab_" + std::to_string(late), 1},
                                                {"ab_" + std::to_string(removed), 1}}));
  EXPECT_EQ(ops.Count(), 3u);
  std::map<std::string, google::protobuf::Struct> bodies;
  for (const auto& r : ops.Requests()) {
    EXPECT_EQ(r.content_type, "application/json");
    google::protobuf::Struct body;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.body, &body).ok()) << r.body;
    bodies[body.fields().at("check_id").string_value()] = body;
    EXPECT_EQ(r.body.find("secret-path-token"), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find("T0001"), std::string::npos) << r.body;
  }
  ASSERT_EQ(bodies.size(), 2u);
  const auto& late_body = bodies.at(late_check).fields();
  EXPECT_EQ(late_body.at("reason").string_value(), "deadline");
  EXPECT_EQ(late_body.at("webhook_url").string_value(),
            "http://127.0.0.1:" + std::to_string(failing.port()) + "/…");
  EXPECT_EQ(late_body.at("transition_id").number_value(), static_cast<double>(late));
  EXPECT_EQ(late_body.at("to_state").string_value(), "UP");
  const auto& removed_body = bodies.at(removed_check).fields();
  EXPECT_EQ(removed_body.at("reason").string_value(), "gone");
  EXPECT_NE(removed_body.at("error").string_value().find("410"), std::string::npos);
}

// Issue 14 defect 3: a receiver down for ~20 s, then up: as soon as it answers 2xx, its other
// pending deliveries are due at once, so a 2,000-transition backlog drains within 30 s, in order
// per check, although each check's oldest transition had backed off to a long wait.
TEST_F(WebhookWorkerTest, RecoveredReceiverGetsItsBacklogAtOnceInOrder) {
  constexpr int kChecks = 100;
  constexpr int kPerCheck = 20;
  const int port = lokahi::testing::FreePort();  // nothing listens: connections are refused
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/hook";
  std::vector<std::vector<int64_t>> per_check;
  {
    pqxx::work txn(*sql_);
    const auto rows = txn.exec_params(
        "WITH c AS (INSERT INTO checks (url, webhook_url, every_seconds, "
        "timeout_ms)"
        " SELECT 'http://127.0.0.1:9/health', $1, 60, 5000 FROM "
        "generate_series(1, $2)"
        " RETURNING id)"
        " INSERT INTO transitions (check_id, from_state, to_state, at, "
        "slot_ms, status_code,"
        " latency_ns) SELECT id, 1 + n % 2, 2 - n % 2, now(), n, 0, 1000"
        " FROM c CROSS JOIN generate_series(1, $3) AS n ORDER BY n"
        " RETURNING check_id::text, id",
        url, kChecks, kPerCheck);
    txn.commit();
    std::map<std::string, std::vector<int64_t>> by_check;
    for (const auto& row : rows) by_check[row[0].as<std::string>()].push_back(row[1].as<int64_t>());
    for (auto& [check, ids] : by_check) {
      std::sort(ids.begin(), ids.end());
      per_check.push_back(ids);
    }
  }
  ASSERT_EQ(per_check.size(), static_cast<size_t>(kChecks));
  auto worker = StartWorker({{"LOKAHI_WEBHOOK_MAX_BACKOFF_MS", "60000"}});
  // The outage: long enough for every check's head to be several attempts deep into its backoff.
  std::this_thread::sleep_for(20s);
  {
    pqxx::read_transaction txn(*sql_);
    const auto heads = txn.exec1(
        "SELECT min(attempts), count(*) FROM transitions WHERE "
        "attempts > 0 AND delivery_state = 0");
    EXPECT_GE(heads[0].as<int>(), 4) << "the heads did not back off far";
    EXPECT_EQ(heads[1].as<int>(), kChecks);
  }
  const auto up_at = std::chrono::steady_clock::now();
  Receiver receiver([](const ReceivedRequest&) { return Answer{200}; }, port);
  const auto delivered = [&] {
    pqxx::read_transaction txn(*sql_);
    return txn.exec1("SELECT count(*) FROM transitions WHERE delivery_state = 1")[0].as<int>();
  };
  const bool drained = WaitFor([&] { return delivered() == kChecks * kPerCheck; }, 60s);
  const auto done_at = std::chrono::steady_clock::now();
  const auto requests = receiver.Requests();
  ASSERT_TRUE(drained) << delivered() << " of " << kChecks * kPerCheck << " delivered\n"
                       << worker->Log();
  ASSERT_FALSE(requests.empty());
  const auto seconds = [](auto d) { return std::chrono::duration<double>(d).count(); };
  const double first_answer = seconds(requests.front().arrived_at - up_at);
  const double drain = seconds(done_at - up_at);
  std::cout << "receiver back: first 2xx after " << first_answer << " s, " << kChecks * kPerCheck
            << " transitions drained " << drain << " s after it came back\n";
  EXPECT_LE(drain, 30.0);
  // Due at once after the first 2xx: not each head's own backoff (up to 16-32 s by now).
  EXPECT_LE(drain - first_answer, 8.0);
  for (const auto& ids : per_check) ExpectInOrder(requests, ids);
  for (const auto& [id, count] : receiver.DeliveredCounts()) EXPECT_EQ(count, 1) << id;
}

// Issue 13 defects 13 and 14: a webhook body carries the true value of every field it has, the same
// the Status API answers for the check (format, timeout, thresholds, uptime, histogram, the last
// probe), and no credentials from the check's URL, in the body or the worker's log.
TEST_F(WebhookWorkerTest, BodyAgreesWithTheStatusApiAndCarriesNoUrlCredentials) {
  Receiver receiver;
  std::string check;
  {
    pqxx::work txn(*sql_);
    check = txn.exec_params1(
                   "INSERT INTO checks (url, webhook_url, playbook_url, "
                   "every_seconds, timeout_ms,"
                   " expected_status, failure_threshold, recovery_threshold, "
                   "webhook_format,"
                   " webhook_response_time_ns)"
                   " VALUES ('http://monitor:s3cret@127.0.0.1:9/health', $1,"
                   " 'https://wiki.example.com/runbook', 30, 7000, 204, 3, 2, "
                   "1, 4321)"
                   " RETURNING id::text",
                   receiver.Url())[0]
                .as<std::string>();
    // A day of results, the last of them the probe that turns the check DOWN.
    txn.exec_params(
        "INSERT INTO results (check_id, due_at, probed_at, "
        "status_code, latency_ns, verdict)"
        " SELECT $1::uuid, t, t, 204, 1000000 * n, 0"
        " FROM generate_series(1, 40) AS n, LATERAL (SELECT now() "
        "- n * interval '10 minutes') x(t)",
        check);
    txn.exec_params(
        "INSERT INTO results (check_id, due_at, probed_at, "
        "status_code, latency_ns, dns_ns,"
        " connect_ns, tls_ns, first_byte_ns, verdict, error)"
        " VALUES ($1::uuid, now() - interval '2 seconds', now() - "
        "interval '2 seconds', 503,"
        " 2500000, 11000, 22000, 0, 1800000, 1, '')",
        check);
    txn.exec_params(
        "INSERT INTO check_states (check_id, state, last_status_code, "
        "last_latency_ns,"
        " last_probed_at, state_changed_at)"
        " VALUES ($1::uuid, 2, 503, 2500000, now() - interval '2 seconds',"
        "         now() - interval '2 seconds')",
        check);
    txn.exec_params(
        "INSERT INTO transitions (check_id, from_state, to_state, "
        "at, slot_ms, status_code,"
        " latency_ns) VALUES ($1::uuid, 1, 2, now() - interval '2 "
        "seconds', 0, 503, 2500000)",
        check);
    txn.commit();
  }
  auto api = StartApi();
  auto worker = StartWorker();
  ASSERT_TRUE(WaitFor([&] { return receiver.Count() >= 1; }, 20s)) << worker->Log();
  github::xe::lokahi::CheckStatus body;
  const auto request = receiver.Requests().front();
  ASSERT_EQ(request.content_type, "application/json");
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(request.body, &body).ok())
      << request.body;
  github::xe::lokahi::CheckStatus status;
  {
    github::xe::lokahi::CheckID id;
    id.set_id(check);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 20s);
    const auto answer = api.stub->Status(&context, id, &status);
    ASSERT_TRUE(answer.ok()) << answer.error_message();
  }
  // Where the body is meant to differ from what the check's owner sees: no credentials.
  EXPECT_EQ(status.check().url(), "http://monitor:s3cret@127.0.0.1:9/health");
  EXPECT_EQ(body.check().url(), "http://127.0.0.1:9/health");
  EXPECT_EQ(request.body.find("s3cret"), std::string::npos) << request.body;
  EXPECT_EQ(worker->Log().find("s3cret"), std::string::npos) << worker->Log();
  status.mutable_check()->set_url(body.check().url());
  // Set on webhooks only.
  EXPECT_EQ(body.previous_state(), github::xe::lokahi::Check::UP);
  EXPECT_GT(body.transition_id(), 0);
  status.set_previous_state(body.previous_state());
  status.set_transition_id(body.transition_id());
  // The body carries the response time of the webhook before it (lokahi's meaning); this delivery
  // has since recorded its own.
  EXPECT_EQ(body.check().webhook_response_time_nanoseconds(), 4321);
  status.mutable_check()->set_webhook_response_time_nanoseconds(4321);

  EXPECT_EQ(body.check().webhook_format(), github::xe::lokahi::WEBHOOK_FORMAT_JSON);
  EXPECT_EQ(body.check().timeout_ms(), 7000);
  EXPECT_EQ(body.check().failure_threshold(), 3);
  EXPECT_EQ(body.uptime_probes_24h(), 41);
  EXPECT_DOUBLE_EQ(body.uptime_24h(), 40.0 / 41.0);
  EXPECT_EQ(body.last_probe().connect_nanoseconds(), 22000);
  google::protobuf::util::MessageDifferencer differencer;
  std::string differences;
  differencer.ReportDifferencesToString(&differences);
  EXPECT_TRUE(differencer.Compare(status, body))
      << differences << "\nbody: " << request.body << "\nstatus: " << status.DebugString();
}

TEST(WebhookWorkerStartupTest, BadConfigurationFailsFastNamingTheVariable) {
  const auto result = lokahi::testing::RunCommand(
      {lokahi::testing::BinaryPath("webhookworker/webhookworker")},
      {{"LOKAHI_WEBHOOK_SECRET", "not-a-secret"}}, std::chrono::seconds(20));
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("LOKAHI_WEBHOOK_SECRET"), std::string::npos) << result.output;
  EXPECT_EQ(result.output.find("not-a-secret"), std::string::npos) << result.output;
}

TEST_F(WebhookWorkerTest, PrintsEffectiveConfigWithSecretsScrubbed) {
  const std::string secret = "whsec_" + auth::Base64Encode("do not print me");
  auto worker = StartWorker({{"LOKAHI_WEBHOOK_SECRET", secret},
                             {"LOKAHI_WEBHOOK_CONCURRENCY", "77"},
                             {"DATABASE_URL", database_url_}});
  const auto log = worker->Log();
  EXPECT_NE(log.find("event=config"), std::string::npos) << log;
  EXPECT_NE(log.find("LOKAHI_WEBHOOK_CONCURRENCY=77"), std::string::npos) << log;
  EXPECT_EQ(log.find(secret.substr(6)), std::string::npos) << log;
}

}  // namespace
}  // namespace lokahi::webhookworker
