// Issue 14's NATS rows of the fault matrix, on the stack of tests/stack/fault_stack.h with a
// nats-server (or a 3-node cluster) of the row's own: NATS killed for 10 s then restarted; the
// cluster node every daemon uses lost; the whole stack started while NATS is down. Each row runs
// 110 checks on flipping and steady targets and asserts what FinishRow asserts (every transition
// decided delivered once by webhook-id, none lost, in order per check, no false alert), that no
// daemon was restarted by hand, and how long the stack took to probe every check again.

#include <signal.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "tests/stack/fault_stack.h"
#include "tests/support/nats_server.h"

namespace lokahi {
namespace {

using namespace std::chrono_literals;
using fault_stack::Clock;
using testing::ChildProcess;
using testing::WaitFor;

class NatsFaultTest : public fault_stack::FaultStackTest {
 protected:
  // lokahid's lokahi_nats_reconnects_total, read from its /metrics on `metrics_port`; -1 when
  // unreadable.
  static double NatsReconnects(int metrics_port) {
    std::string exposition;
    if (testing::HttpGet(metrics_port, "/metrics", &exposition) != 200) return -1;
    const std::string name = "\nlokahi_nats_reconnects_total ";
    const auto at = exposition.find(name);
    return at == std::string::npos ? -1 : std::stod(exposition.substr(at + name.size()));
  }

  // Every daemon of the row running, none restarted: NATS faults must be ridden out.
  void ExpectAllRunning(const std::vector<ChildProcess*>& daemons) {
    for (ChildProcess* daemon : daemons) EXPECT_TRUE(daemon->Running()) << daemon->Log();
    EXPECT_TRUE(webhookworker_->Running()) << webhookworker_->Log();
  }
};

// nats-server dies by kill -9 (clients see the connection drop, no goodbye) and comes back on the
// same port 10 s later. Slots due meanwhile are skipped and counted, not replayed at once.
TEST_F(NatsFaultTest, NatsServerKill9For10sThenRestart) {
  testing::NatsServer nats;
  nats_url_ = nats.Url();
  std::unique_ptr<ChildProcess> lokahid, healthworker;
  ASSERT_NO_FATAL_FAILURE(StartStackMidFlow(&lokahid, &healthworker));

  window_begin_ = std::chrono::system_clock::now();
  nats.Kill();
  std::this_thread::sleep_for(10s);
  nats.Start();
  const auto back = Clock::now();
  const auto back_wall = std::chrono::system_clock::now();
  const double recovery = WaitAllProbedAfter(back, back_wall, 30s);
  window_end_ = std::chrono::system_clock::now() + 5s;
  RunFor(6s);  // flips decided after the outage are delivered too

  ExpectAllRunning({lokahid.get(), healthworker.get()});
  FinishRow("nats_kill9_10s", {&lokahid, &healthworker}, recovery, 30);
}

// Every daemon is given the three nodes (NATS_URL's list form) and uses the first; that node dies
// by kill -9 and stays down. The daemons move to the others, which carry on as one cluster.
TEST_F(NatsFaultTest, ClusterLosesTheNodeInUse) {
  testing::NatsCluster cluster(3);
  nats_url_ = cluster.Urls();
  const int metrics_port = testing::FreePort();
  lokahid_env_["LOKAHI_METRICS_PORT"] = std::to_string(metrics_port);
  std::unique_ptr<ChildProcess> lokahid, healthworker;
  ASSERT_NO_FATAL_FAILURE(StartStackMidFlow(&lokahid, &healthworker));
  ASSERT_EQ(NatsReconnects(metrics_port), 0);

  const auto killed = Clock::now();
  const auto killed_wall = std::chrono::system_clock::now();
  window_begin_ = killed_wall;
  cluster.node(0).Kill();
  const double recovery = WaitAllProbedAfter(killed, killed_wall, 20s);
  window_end_ = std::chrono::system_clock::now() + 5s;
  // The node lost was the one in use: lokahid had to move to another.
  EXPECT_TRUE(WaitFor([&] { return NatsReconnects(metrics_port) >= 1; }, 10s))
      << "lokahid never reconnected: it was not on the node killed";
  RunFor(8s);

  ExpectAllRunning({lokahid.get(), healthworker.get()});
  FinishRow("nats_cluster_node_lost", {&lokahid, &healthworker}, recovery, 20);
}

// NATS is down when every daemon starts: each must start anyway (lokahid serving its API, so the
// checks are created meanwhile) and connect in the background once nats-server comes up 5 s later.
// The first transitions are decided only then.
TEST_F(NatsFaultTest, StackStartedWhileNatsIsDown) {
  testing::NatsServer nats;
  nats_url_ = nats.Url();
  nats.Stop();
  int lokahid_port = 0;
  auto lokahid = StartLokahid(&lokahid_port);  // waits until its port accepts connections
  auto healthworker = StartHealthworker();
  webhookworker_ = StartWebhookworker();
  ASSERT_NO_FATAL_FAILURE(CreateChecks(lokahid_port));
  std::this_thread::sleep_for(5s);
  EXPECT_EQ(fault_stack::ReceivedBy(*sample_hook_).deliveries.size(), 0u)
      << "nothing can be probed while NATS is down";

  window_begin_ = std::chrono::system_clock::now();
  nats.Start();
  const auto up = Clock::now();
  const auto up_wall = std::chrono::system_clock::now();
  const double recovery = WaitAllProbedAfter(up, up_wall, 30s);
  window_end_ = std::chrono::system_clock::now() + 5s;
  ASSERT_NO_FATAL_FAILURE(WaitFirstDeliveries());
  RunFor(8s);

  ExpectAllRunning({lokahid.get(), healthworker.get()});
  FinishRow("nats_down_at_start", {&lokahid, &healthworker}, recovery, 30);
}

}  // namespace
}  // namespace lokahi
