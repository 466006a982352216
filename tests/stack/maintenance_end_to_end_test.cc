// Maintenance windows through the whole stack: lokahid schedules, healthworker probes a target
// whose answer the test sets, webhookworker delivers to sample_hook. A DOWN inside a window
// reaches nobody; when the window ends, one notification says where the check stands.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <regex>
#include <sstream>
#include <thread>

#include "lib/http/server.h"
#include "lib/logging/logger.h"
#include "lokahi.grpc.pb.h"
#include "maintenance.grpc.pb.h"
#include "tests/support/ports.h"
#include "tests/support/stack_under_test.h"

namespace lokahi {
namespace {

namespace pb = github::xe::lokahi;
using namespace std::chrono_literals;
using testing::WaitFor;

struct Delivered {
  std::string state;
  std::string previous_state;
};

std::vector<Delivered> DeliveredTo(const testing::ChildProcess& sample_hook,
                                   const std::string& check_id) {
  static const std::regex kLine(R"(event=webhook check_id=(\S+) state=(\S+) previous_state=(\S+))");
  std::vector<Delivered> out;
  std::istringstream log(sample_hook.Log());
  std::string line;
  while (std::getline(log, line)) {
    std::smatch m;
    if (std::regex_search(line, m, kLine) && m[1] == check_id) out.push_back({m[2], m[3]});
  }
  return out;
}

std::unique_ptr<grpc::ClientContext> Context() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + 20s);
  return context;
}

class MaintenanceEndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sample_hook_ = &stack_.StartSampleHook();
    lokahid_ = &stack_.StartLokahid({{"LOKAHI_MIN_EVERY", "1"}});
    stack_.StartHealthworker({{"LOKAHI_BATCH_MAX_DELAY_MS", "50"}});
    stack_.StartWebhookworker();
    const auto channel =
        grpc::CreateChannel(stack_.LokahidAddress(), grpc::InsecureChannelCredentials());
    checks_ = pb::Checks::NewStub(channel);
    maintenance_ = pb::Maintenance::NewStub(channel);
    target_ = std::make_unique<http::Server>(
        [this](const http::Request&) { return http::TextResponse(status_.load(), "target"); },
        http::ServerLimits{}, log_);
    target_port_ = target_->Listen("127.0.0.1", testing::FreePortBelowEphemeral());
  }

  std::string CreateCheck() {
    pb::CreateOpts opts;
    opts.set_url("http://127.0.0.1:" + std::to_string(target_port_) + "/");
    opts.set_webhook_url(stack_.SampleHookUrl("/twirp/github.xe.lokahi.Webhook/Handle"));
    opts.set_every(1);
    opts.set_timeout_ms(1000);
    pb::Check check;
    const auto status = checks_->Create(Context().get(), opts, &check);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return check.id();
  }

  pb::Check::State StateOf(const std::string& id) {
    pb::CheckID request;
    request.set_id(id);
    pb::Check check;
    checks_->Get(Context().get(), request, &check);
    return check.state();
  }

  pb::MaintenanceWindow OpenWindow(const std::string& id, int seconds) {
    pb::MaintenanceWindow request, window;
    request.add_check_ids(id);
    request.set_duration_seconds(seconds);
    request.set_reason("end-to-end test");
    const auto status = maintenance_->Create(Context().get(), request, &window);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_TRUE(window.active());
    return window;
  }

  int64_t UptimeProbes24h(const std::string& id) {
    pb::CheckID request;
    request.set_id(id);
    pb::CheckStatus status;
    checks_->Status(Context().get(), request, &status);
    return status.uptime_probes_24h();
  }

  std::ostringstream log_text_;
  logging::Logger log_{"target", log_text_};
  std::atomic<int> status_{200};
  int target_port_ = 0;
  testing::StackUnderTest stack_;
  testing::ChildProcess* sample_hook_ = nullptr;
  testing::ChildProcess* lokahid_ = nullptr;
  std::unique_ptr<pb::Checks::Stub> checks_;
  std::unique_ptr<pb::Maintenance::Stub> maintenance_;
  std::unique_ptr<http::Server> target_;
};

TEST_F(MaintenanceEndToEndTest, ADownInAWindowIsToldOnceWhenItEnds) {
  const auto id = CreateCheck();
  ASSERT_TRUE(WaitFor([&] { return DeliveredTo(*sample_hook_, id).size() == 1; }, 20s))
      << sample_hook_->Log();
  const auto window = OpenWindow(id, 8);
  const auto probes_before = UptimeProbes24h(id);
  status_ = 503;
  // The state follows the target, silently.
  ASSERT_TRUE(WaitFor([&] { return StateOf(id) == pb::Check::DOWN; }, 10s));
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(DeliveredTo(*sample_hook_, id).size(), 1u) << "no webhook during the window";
  // Probes in the window are stored but not counted in uptime.
  EXPECT_LE(UptimeProbes24h(id) - probes_before, 1) << "at most one probe in flight at its start";

  // At its end (8 s, then lokahid's upkeep every 2 s): one webhook, UP -> DOWN.
  ASSERT_TRUE(WaitFor([&] { return DeliveredTo(*sample_hook_, id).size() >= 2; }, 20s))
      << sample_hook_->Log() << lokahid_->Log();
  std::this_thread::sleep_for(4s);  // nothing else follows while the target stays down
  const auto delivered = DeliveredTo(*sample_hook_, id);
  ASSERT_EQ(delivered.size(), 2u) << sample_hook_->Log();
  EXPECT_EQ(delivered[1].state, "DOWN");
  EXPECT_EQ(delivered[1].previous_state, "UP");
  // After the window, probes count again.
  EXPECT_GT(UptimeProbes24h(id), probes_before + 1);

  // And the next change is told as it happens.
  status_ = 200;
  ASSERT_TRUE(WaitFor([&] { return DeliveredTo(*sample_hook_, id).size() == 3; }, 20s));
  EXPECT_EQ(DeliveredTo(*sample_hook_, id)[2].state, "UP");
}

TEST_F(MaintenanceEndToEndTest, AnOutageOverWithinTheWindowIsNeverTold) {
  const auto id = CreateCheck();
  ASSERT_TRUE(WaitFor([&] { return DeliveredTo(*sample_hook_, id).size() == 1; }, 20s));
  const auto window = OpenWindow(id, 600);
  status_ = 503;
  ASSERT_TRUE(WaitFor([&] { return StateOf(id) == pb::Check::DOWN; }, 10s));
  status_ = 200;
  ASSERT_TRUE(WaitFor([&] { return StateOf(id) == pb::Check::UP; }, 10s));
  // Deleting the window ends it now; the state is what receivers were last told.
  pb::MaintenanceWindowID request;
  request.set_id(window.id());
  pb::MaintenanceWindow deleted;
  ASSERT_TRUE(maintenance_->Delete(Context().get(), request, &deleted).ok());
  EXPECT_EQ(deleted.id(), window.id());
  std::this_thread::sleep_for(5s);  // two upkeep rounds and a webhook sweep
  EXPECT_EQ(DeliveredTo(*sample_hook_, id).size(), 1u) << sample_hook_->Log();
}

}  // namespace
}  // namespace lokahi
