// Push alerts through the real stack, as a host and an operator use them: a heartbeat POSTed to
// lokahid's /events every second with raise +3s stops, lokahid raises it within a second of its due
// time, the webhookworker delivers the notification and sample_hook logs it; the heartbeat resumes
// (recovered), stops again (raised), an operator acknowledges for 5 s (acknowledged, then one
// reminder when it expires), lokahid and the webhookworker restart meanwhile, the alert is cleared,
// and a bad submission changes nothing. Each notification arrives once (retries keep their
// webhook-id), in order.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "alerts.grpc.pb.h"
#include "tests/support/http_client.h"
#include "tests/support/stack_under_test.h"

namespace lokahi {
namespace {

namespace pb = github::xe::lokahi;
using namespace std::chrono_literals;
using testing::WaitFor;

struct Notification {
  std::string kind;
  std::string state;
  int notify_count = 0;
  std::string webhook_id;
};

// sample_hook's `event=alert_notification` lines for alert `id`, in arrival order.
std::vector<Notification> NotificationsAt(const testing::ChildProcess& sample_hook,
                                          const std::string& id) {
  static const std::regex kLine(
      R"(event=alert_notification kind=(\S+) source=\S+ alert_id=(\S+) state=(\S+) )"
      R"(previous_state=\S+ notify_count=(\d+) .* webhook_id=(\S+))");
  std::vector<Notification> out;
  std::istringstream log(sample_hook.Log());
  std::string line;
  while (std::getline(log, line)) {
    std::smatch m;
    if (std::regex_search(line, m, kLine) && m[2] == id) {
      out.push_back({m[1], m[3], std::stoi(m[4]), m[5]});
    }
  }
  return out;
}

// The notifications as delivered once each (a repeat of a webhook-id is the same notification).
std::vector<std::string> KindsOnce(const std::vector<Notification>& notifications) {
  std::set<std::string> seen;
  std::vector<std::string> kinds;
  for (const auto& n : notifications) {
    if (seen.insert(n.webhook_id).second) kinds.push_back(n.kind);
  }
  return kinds;
}

double Seconds(const google::protobuf::Timestamp& t) { return t.seconds() + t.nanos() / 1e9; }

class PushAlertsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sample_hook_ = &stack_.StartSampleHook();
    StartDaemons();
  }

  void StartDaemons() {
    lokahid_ = &stack_.StartLokahid(
        {{"LOKAHI_ALERT_WEBHOOK_URL",
          stack_.SampleHookUrl("/twirp/github.xe.lokahi.AlertWebhook/Handle")}});
    webhookworker_ = &stack_.StartWebhookworker();
    stub_ = pb::Alerts::NewStub(
        grpc::CreateChannel(stack_.LokahidAddress(), grpc::InsecureChannelCredentials()));
    // Alerts are raised by the replica holding the scheduler lease.
    ASSERT_TRUE(WaitFor(
        [&] { return lokahid_->Log().find("event=scheduler_active") != std::string::npos; }, 30s))
        << lokahid_->Log();
  }

  void StopDaemons() {
    for (auto* process : {webhookworker_, lokahid_}) {
      EXPECT_TRUE(testing::StackUnderTest::StopCleanly(*process)) << process->Log();
    }
    webhookworker_ = lokahid_ = nullptr;
  }

  long Heartbeat(const std::string& raise = "+3s") {
    return http_
        .Send("POST", stack_.LokahidUrl("/events"),
              R"({"id":"backup","raise":")" + raise + R"(","subject":"nightly backup"})",
              {"Content-Type: application/json"})
        .status;
  }

  pb::Alert Get() {
    pb::AlertRef ref;
    ref.set_id("backup");
    pb::Alert alert;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 10s);
    const auto status = stub_->Get(&context, ref, &alert);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return alert;
  }

  std::vector<Notification> Received() { return NotificationsAt(*sample_hook_, "backup"); }

  bool ReceivedKinds(size_t count) {
    return WaitFor([&] { return KindsOnce(Received()).size() >= count; }, 15s);
  }

  testing::StackUnderTest stack_;
  testing::ChildProcess* sample_hook_ = nullptr;
  testing::ChildProcess* lokahid_ = nullptr;
  testing::ChildProcess* webhookworker_ = nullptr;
  std::unique_ptr<pb::Alerts::Stub> stub_;
  testing::HttpClient http_;
};

TEST_F(PushAlertsTest, HeartbeatRaiseRecoverAckReminderClearAcrossRestarts) {
  // A heartbeat every second keeps it pending.
  for (int i = 0; i < 4; ++i) {
    ASSERT_EQ(Heartbeat(), 200);
    std::this_thread::sleep_for(1s);
    EXPECT_EQ(Get().state(), pb::Alert::PENDING);
  }
  EXPECT_TRUE(Received().empty());

  // It stops: raised within a second of its due time, one notification.
  ASSERT_TRUE(WaitFor([&] { return Get().state() == pb::Alert::RAISED; }, 10s));
  auto alert = Get();
  const double lag = Seconds(alert.state_changed_at()) - Seconds(alert.raise_at());
  EXPECT_GE(lag, 0);
  EXPECT_LT(lag, 1.0);
  ASSERT_TRUE(ReceivedKinds(1)) << sample_hook_->Log();
  EXPECT_EQ(Received().front().kind, "raised");
  EXPECT_EQ(Received().front().notify_count, 1);

  // It resumes: one recovery. Then it stops again and raises again.
  ASSERT_EQ(Heartbeat(), 200);
  ASSERT_TRUE(ReceivedKinds(2)) << sample_hook_->Log();
  EXPECT_EQ(KindsOnce(Received())[1], "recovered");
  ASSERT_TRUE(ReceivedKinds(3)) << sample_hook_->Log();

  // Acknowledged for 5 s: no reminder until it expires, lokahid and the webhookworker restart
  // meanwhile, then exactly one reminder.
  pb::AcknowledgeAlertRequest ack;
  ack.set_id("backup");
  ack.set_for_seconds(5);
  ack.set_by("ops");
  {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 10s);
    ASSERT_TRUE(stub_->Acknowledge(&context, ack, &alert).ok());
  }
  ASSERT_TRUE(ReceivedKinds(4)) << sample_hook_->Log();
  StopDaemons();
  StartDaemons();
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(KindsOnce(Received()).size(), 4u);  // nothing before the ack expires
  ASSERT_TRUE(ReceivedKinds(5)) << sample_hook_->Log();
  EXPECT_EQ(Received().back().kind, "reminder");
  EXPECT_EQ(Received().back().notify_count, 2);
  EXPECT_EQ(Get().state(), pb::Alert::RAISED);

  // Cleared by the operator: one notification.
  pb::AlertRef ref;
  ref.set_id("backup");
  {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 10s);
    ASSERT_TRUE(stub_->Clear(&context, ref, &alert).ok());
  }
  ASSERT_TRUE(ReceivedKinds(6)) << sample_hook_->Log();

  // A bad submission (its second item) changes nothing: not even the good first item.
  const long refused =
      http_
          .Send("POST", stack_.LokahidUrl("/events"),
                R"([{"id":"backup","raise":"+3s"},{"id":"backup","raise":"+3 seconds"}])",
                {"Content-Type: application/json"})
          .status;
  EXPECT_EQ(refused, 400);
  EXPECT_EQ(Get().state(), pb::Alert::CLEARED);

  // A restart after everything was delivered sends nothing again.
  StopDaemons();
  StartDaemons();
  std::this_thread::sleep_for(2s);
  const auto kinds = KindsOnce(Received());
  EXPECT_EQ(kinds, (std::vector<std::string>{"raised", "recovered", "raised", "acknowledged",
                                             "reminder", "cleared"}))
      << sample_hook_->Log();
  // Each notification was delivered once (a repeat could only be a retry with the same id).
  EXPECT_LE(Received().size(), kinds.size() + 1) << sample_hook_->Log();
}

}  // namespace
}  // namespace lokahi
