// Issue 14's fault matrix on a real stack: Postgres, nats-server, lokahid,
// healthworker, webhookworker, duke-of-york targets (some flipping, some
// steady) and sample_hook as receiver. Each row runs 110 checks, injects one
// fault, then stops the producers, lets the outbox drain and asserts what users
// see: every transition decided is delivered (by its webhook-id) once, none
// lost, repeats only under the same webhook-id, in order per check, no alert
// for a target that never changed, no daemon restarted by hand except the one
// the row restarts, and the stack back to probing every check within a stated
// bound. Each row prints one line of counts.

#include <signal.h>

#include <chrono>
#include <thread>

#include "tests/stack/fault_stack.h"

namespace lokahi {
namespace {

using namespace std::chrono_literals;
using fault_stack::Clock;
using fault_stack::Seconds;
using testing::ChildProcess;
using testing::Services;
using testing::WaitFor;

class FaultMatrixTest : public fault_stack::FaultStackTest {};

// Postgres stops at once (SIGQUIT: no checkpoint, clients cut) for 15 s and
// comes back on the same port with crash recovery; every daemon rides it out
// without a restart.
TEST_F(FaultMatrixTest, PostgresImmediateStopAndRestart) {
  std::unique_ptr<ChildProcess> lokahid, healthworker;
  ASSERT_NO_FATAL_FAILURE(StartStackMidFlow(&lokahid, &healthworker));

  window_begin_ = std::chrono::system_clock::now();
  Services().postgres.Stop(SIGQUIT);
  std::this_thread::sleep_for(15s);
  Services().postgres.Start();
  const auto back = Clock::now();
  const auto back_wall = std::chrono::system_clock::now();
  const double recovery = WaitAllProbedAfter(back, back_wall, 45s);
  window_end_ = std::chrono::system_clock::now() + 5s;
  RunFor(6s);  // flips decided after the outage are delivered too

  EXPECT_TRUE(lokahid->Running()) << lokahid->Log();
  EXPECT_TRUE(healthworker->Running()) << healthworker->Log();
  FinishRow("postgres_immediate_stop_15s", {&lokahid, &healthworker}, recovery, 45);
}

// One of two healthworkers dies by kill -9; the other carries every check on.
TEST_F(FaultMatrixTest, HealthworkerKill9WhileAnotherRuns) {
  std::unique_ptr<ChildProcess> lokahid, worker_a;
  auto worker_b = StartHealthworker();
  ASSERT_NO_FATAL_FAILURE(StartStackMidFlow(&lokahid, &worker_a));

  const auto killed = Clock::now();
  const auto killed_wall = std::chrono::system_clock::now();
  window_begin_ = killed_wall;
  worker_a->Stop(SIGKILL, 5s);
  const double recovery = WaitAllProbedAfter(killed, killed_wall, 20s);
  window_end_ = std::chrono::system_clock::now() + 5s;
  RunFor(8s);

  EXPECT_TRUE(worker_b->Running()) << worker_b->Log();
  EXPECT_TRUE(lokahid->Running()) << lokahid->Log();
  FinishRow("healthworker_kill9", {&lokahid, &worker_b}, recovery, 20);
}

// The lokahid holding the scheduler dies by kill -9 while a second runs: the
// second takes the scheduler over (its advisory lock frees when Postgres sees
// the session gone).
TEST_F(FaultMatrixTest, SchedulerHolderKill9WhileAnotherLokahidRuns) {
  int port_a = 0, port_b = 0;
  auto lokahid_a = StartLokahid(&port_a);
  ASSERT_TRUE(
      WaitFor([&] { return lokahid_a->Log().find("scheduler_active") != std::string::npos; }, 30s))
      << lokahid_a->Log();
  auto lokahid_b = StartLokahid(&port_b);
  auto healthworker = StartHealthworker();
  webhookworker_ = StartWebhookworker();
  ASSERT_NO_FATAL_FAILURE(CreateChecks(port_b));  // through the standby: both serve the API
  ASSERT_NO_FATAL_FAILURE(WaitFirstDeliveries());
  RunFor(6s);
  ASSERT_EQ(lokahid_b->Log().find("scheduler_active"), std::string::npos)
      << "only one lokahid schedules";

  const auto killed = Clock::now();
  const auto killed_wall = std::chrono::system_clock::now();
  window_begin_ = killed_wall;
  lokahid_a->Stop(SIGKILL, 5s);
  double takeover = -1;
  if (WaitFor([&] { return lokahid_b->Log().find("scheduler_active") != std::string::npos; },
              20s)) {
    takeover = Seconds(Clock::now() - killed);
  }
  const double recovery = WaitAllProbedAfter(killed, killed_wall, 25s);
  window_end_ = std::chrono::system_clock::now() + 5s;
  std::printf("fault_matrix row=scheduler_holder_kill9 takeover_s=%.2f bound_s=10\n", takeover);
  EXPECT_GE(takeover, 0) << lokahid_b->Log();
  EXPECT_LE(takeover, 10) << "lease_retry is 1 s; Postgres sees the killed session at once";
  RunFor(8s);

  EXPECT_TRUE(healthworker->Running()) << healthworker->Log();
  FinishRow("scheduler_holder_kill9", {&lokahid_b, &healthworker}, recovery, 25);
}

// SIGTERM to every daemon mid-flow (each must exit 0), 3 s with nothing
// running, then all start again: nothing decided is lost or sent twice, and
// steady targets do not re-alert.
TEST_F(FaultMatrixTest, SigtermEveryDaemonMidFlowThenStartAgain) {
  std::unique_ptr<ChildProcess> lokahid, healthworker;
  ASSERT_NO_FATAL_FAILURE(StartStackMidFlow(&lokahid, &healthworker));

  window_begin_ = std::chrono::system_clock::now();
  for (auto* p : {&lokahid, &healthworker, &webhookworker_}) {
    const int status = (*p)->Stop(SIGTERM, 30s);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << (*p)->Log();
  }
  std::this_thread::sleep_for(3s);
  const auto restarted = Clock::now();
  const auto restarted_wall = std::chrono::system_clock::now();
  webhookworker_ = StartWebhookworker();
  healthworker = StartHealthworker();
  int lokahid_port = 0;
  lokahid = StartLokahid(&lokahid_port);
  const double recovery = WaitAllProbedAfter(restarted, restarted_wall, 30s);
  window_end_ = std::chrono::system_clock::now() + 5s;
  RunFor(8s);

  FinishRow("sigterm_all_and_restart", {&lokahid, &healthworker}, recovery, 30,
            /*assert_slots=*/false);
}

}  // namespace
}  // namespace lokahi
