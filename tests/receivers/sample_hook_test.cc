// sample_hook run as a real process on a free port, fed lokahi's deliveries over HTTP.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <thread>

#include "tests/receivers/receiver_fixtures.h"
#include "tests/support/daemon.h"
#include "tests/support/ports.h"
#include "tests/support/raw_http.h"

namespace lokahi::receivers {
namespace {

using lokahi::testing::FreePort;
using lokahi::testing::StartDaemon;
using lokahi::testing::WaitFor;
using testing::FindLogLine;
using testing::PostAlert;
using testing::PostStatus;
using testing::SampleAlert;
using testing::SampleStatus;

constexpr auto kLogWait = std::chrono::seconds(10);

class SampleHookTest : public ::testing::Test {
 protected:
  void Start(std::map<std::string, std::string> env = {}) {
    port_ = FreePort();
    env["PORT"] = std::to_string(port_);
    process_ = StartDaemon("receivers/sample_hook", env, port_);
  }
  std::optional<std::map<std::string, std::string>> WaitForLogLine(const std::string& event,
                                                                   const std::string& check_id) {
    std::optional<std::map<std::string, std::string>> found;
    WaitFor([&] { return (found = FindLogLine(process_->Log(), event, check_id)).has_value(); },
            kLogWait);
    return found;
  }

  int port_ = 0;
  std::unique_ptr<lokahi::testing::ChildProcess> process_;
};

TEST_F(SampleHookTest, LogsOneLinePerProtobufDeliveryAndAnswersWithNil) {
  Start();
  const auto result = PostStatus(port_, SampleStatus(), "msg_2Xf3");
  ASSERT_TRUE(result) << httplib::to_string(result.error());
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->get_header_value("Content-Type"), "application/protobuf");
  github::xe::lokahi::Nil nil;
  EXPECT_TRUE(nil.ParseFromString(result->body));

  const auto line = WaitForLogLine("webhook", "chk_1");
  ASSERT_TRUE(line) << process_->Log();
  const std::map<std::string, std::string> expected = {
      {"state", "DOWN"},
      {"previous_state", "UP"},
      {"latency", "2.265ms"},
      {"status_code", "500"},
      {"webhook_id", "msg_2Xf3"},
      {"transition_id", "42"},
      {"format", "protobuf"},
      {"playbook_url", "https://wiki.example.com/playbooks/web"},
      {"url", "https://example.com/health"}};
  for (const auto& [key, value] : expected) EXPECT_EQ((*line).at(key), value) << key;
  EXPECT_EQ(testing::CountEvents(process_->Log(), "webhook"), 1);
}

// Issue 13 defect 14: a check URL's userinfo never reaches the log (from older senders, or any).
TEST_F(SampleHookTest, LogsEachKindOfAlertNotification) {
  using github::xe::lokahi::AlertStatus;
  Start();
  // Protobuf at the AlertWebhook path; JSON (alerts' default) at any path.
  ASSERT_EQ(PostAlert(port_, SampleAlert(AlertStatus::RAISED), "nt_1", /*json=*/false)->status,
            200);
  auto reminder = SampleAlert(AlertStatus::REMINDER);
  reminder.set_notify_count(3);
  reminder.set_notification_id(8);
  ASSERT_EQ(PostAlert(port_, reminder, "nt_2", true, "/")->status, 200);
  auto acknowledged = SampleAlert(AlertStatus::ACKNOWLEDGED);
  acknowledged.mutable_alert()->set_state(github::xe::lokahi::Alert::ACKNOWLEDGED);
  acknowledged.mutable_alert()->set_acknowledged_by("ann");
  acknowledged.set_notification_id(9);
  ASSERT_EQ(PostAlert(port_, acknowledged, "nt_3")->status, 200);
  // Protobuf at a plain path: told by the notification's webhook-id.
  ASSERT_EQ(PostAlert(port_, SampleAlert(AlertStatus::RECOVERED), "nt_4", false, "/")->status, 200);
  ASSERT_EQ(PostAlert(port_, SampleAlert(AlertStatus::CLEARED), "nt_5")->status, 200);
  ASSERT_EQ(PostAlert(port_, SampleAlert(AlertStatus::CLEARED), "nt_5")->status, 200);  // again

  ASSERT_TRUE(WaitFor(
      [&] { return testing::CountEvents(process_->Log(), "webhook_duplicate") == 1; }, kLogWait))
      << process_->Log();
  const auto lines = testing::LogLines(process_->Log(), "alert_notification");
  ASSERT_EQ(lines.size(), 5u) << process_->Log();
  const std::vector<std::string> kinds = {"raised", "reminder", "acknowledged", "recovered",
                                          "cleared"};
  for (size_t i = 0; i < kinds.size(); ++i) EXPECT_EQ(lines[i].at("kind"), kinds[i]);
  EXPECT_EQ(lines[0].at("source"), "web1");
  EXPECT_EQ(lines[0].at("alert_id"), "backup");
  EXPECT_EQ(lines[0].at("state"), "RAISED");
  EXPECT_EQ(lines[0].at("previous_state"), "PENDING");
  EXPECT_EQ(lines[0].at("importance"), "URGENT");
  EXPECT_EQ(lines[0].at("subject"), "nightly backup missing");
  EXPECT_EQ(lines[0].at("notification_id"), "7");
  EXPECT_EQ(lines[0].at("format"), "protobuf");
  EXPECT_EQ(lines[1].at("notify_count"), "3");
  EXPECT_EQ(lines[1].at("format"), "json");
  EXPECT_EQ(lines[2].at("acknowledged_by"), "ann");
  EXPECT_EQ(lines[2].at("state"), "ACKNOWLEDGED");
  EXPECT_NE(process_->Log().find("event=webhook_duplicate alert=web1/backup notification_id=7 "
                                 "webhook_id=nt_5"),
            std::string::npos)
      << process_->Log();
  // An alert without an id is refused like a check without one.
  auto nameless = SampleAlert();
  nameless.mutable_alert()->clear_id();
  EXPECT_EQ(PostAlert(port_, nameless, "nt_6")->status, 400);
}

TEST_F(SampleHookTest, LogsTheCheckUrlWithoutItsUserinfo) {
  Start();
  auto status = SampleStatus();
  status.mutable_check()->set_url("https://monitor:s3cret@example.com/health");
  ASSERT_TRUE(PostStatus(port_, status, "msg_userinfo"));
  const auto line = WaitForLogLine("webhook", "chk_1");
  ASSERT_TRUE(line) << process_->Log();
  EXPECT_EQ(line->at("url"), "https://example.com/health");
  EXPECT_EQ(process_->Log().find("s3cret"), std::string::npos) << process_->Log();
}

TEST_F(SampleHookTest, HandlesAReplayedSignedWebhookOnce) {
  const std::string secret = "whsec_c2VjcmV0LWtleS1mb3ItdGVzdHM=";
  Start({{"WEBHOOK_SECRET", secret}});
  const auto key = SignatureVerifier::FromSecret(secret);
  ASSERT_TRUE(key);
  // The same signed delivery twice: lokahi's redelivery, or someone replaying what they saw.
  for (int i = 0; i < 2; ++i) {
    const auto reply = PostStatus(port_, SampleStatus(), "msg_same", false, &*key);
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->status, 200);
  }
  ASSERT_TRUE(WaitFor(
      [&] { return testing::CountEvents(process_->Log(), "webhook_duplicate") == 1; }, kLogWait))
      << process_->Log();
  const std::string log = process_->Log();
  EXPECT_EQ(testing::CountEvents(log, "webhook"), 1) << log;
  const auto duplicate = FindLogLine(log, "webhook_duplicate", "chk_1");
  ASSERT_TRUE(duplicate) << log;
  EXPECT_EQ(duplicate->at("webhook_id"), "msg_same");

  // Another id is handled as usual.
  ASSERT_EQ(PostStatus(port_, SampleStatus(), "msg_other", false, &*key)->status, 200);
  ASSERT_TRUE(
      WaitFor([&] { return testing::CountEvents(process_->Log(), "webhook") == 2; }, kLogWait))
      << process_->Log();
}

TEST_F(SampleHookTest, NegativeContentLengthGets400AtOnce) {
  Start();
  lokahi::testing::RawConnection connection(port_);
  const auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(
      connection.Send("POST /twirp/github.xe.lokahi.Webhook/Handle HTTP/1.1\r\nHost: x\r\n"
                      "Content-Type: application/protobuf\r\nContent-Length: -1\r\n\r\n"));
  const auto response = connection.ReadResponse(std::chrono::seconds(4));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
  EXPECT_EQ(process_->Log().find("level=error"), std::string::npos) << process_->Log();
}

TEST_F(SampleHookTest, AcceptsTheJsonMapping) {
  Start();
  auto status = SampleStatus();
  status.mutable_check()->set_id("chk_json");
  status.mutable_check()->set_state(github::xe::lokahi::Check::ERROR);
  status.set_resp_status_code(0);
  status.mutable_last_probe()->set_error("dial tcp: connection refused");
  Start();
  const auto accepted = PostStatus(port_, status, "msg_json", /*json=*/true);
  ASSERT_TRUE(accepted);
  EXPECT_EQ(accepted->status, 200);
  EXPECT_EQ(accepted->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(accepted->body, "{}");
  const auto line = WaitForLogLine("webhook", "chk_json");
  ASSERT_TRUE(line) << process_->Log();
  EXPECT_EQ(line->at("state"), "ERROR");
  EXPECT_EQ(line->at("status_code"), "0");
  EXPECT_EQ(line->at("error"), "dial tcp: connection refused");
  EXPECT_EQ(line->at("format"), "json");
}

TEST_F(SampleHookTest, RefusesGarbageAndKeepsServing) {
  Start();
  httplib::Client client("127.0.0.1", port_);
  const auto garbage = client.Post("/twirp/github.xe.lokahi.Webhook/Handle", "not a protobuf",
                                   "application/protobuf");
  ASSERT_TRUE(garbage);
  EXPECT_EQ(garbage->status, 400);
  const auto bad_json = client.Post("/", "{\"check\": [", "application/json");
  ASSERT_TRUE(bad_json);
  EXPECT_EQ(bad_json->status, 400);
  const auto wrong_type = client.Post("/", "hello", "text/plain");
  ASSERT_TRUE(wrong_type);
  EXPECT_EQ(wrong_type->status, 415);
  const auto get = client.Get("/twirp/github.xe.lokahi.Webhook/Handle");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 405);
  EXPECT_EQ(get->get_header_value("Allow"), "POST");
  const auto health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, "ok");

  EXPECT_TRUE(process_->Running());
  const auto good = PostStatus(port_, SampleStatus(), "msg_after_garbage");
  ASSERT_TRUE(good);
  EXPECT_EQ(good->status, 200);
  ASSERT_TRUE(WaitForLogLine("webhook", "chk_1")) << process_->Log();
  const std::string log = process_->Log();
  EXPECT_EQ(testing::CountEvents(log, "bad_webhook"), 3) << log;
  EXPECT_NE(log.find("reason=\"invalid protobuf CheckStatus (14 bytes)\""), std::string::npos)
      << log;
}

TEST_F(SampleHookTest, FailFirstRefusesTheFirstDeliveries) {
  Start({{"SAMPLE_HOOK_FAIL_FIRST", "2"}});
  std::vector<int> statuses;
  for (int i = 0; i < 3; ++i) {
    const auto result = PostStatus(port_, SampleStatus(), "msg_retry");
    ASSERT_TRUE(result);
    statuses.push_back(result->status);
  }
  EXPECT_EQ(statuses, (std::vector<int>{500, 500, 200}));
  ASSERT_TRUE(WaitForLogLine("webhook", "chk_1")) << process_->Log();
  EXPECT_EQ(testing::CountEvents(process_->Log(), "webhook_refused"), 2);
  EXPECT_EQ(testing::CountEvents(process_->Log(), "webhook"), 1);
}

TEST_F(SampleHookTest, WithASecretOnlySignedDeliveriesAreAccepted) {
  const std::string secret = "whsec_c2VjcmV0LWtleS1mb3ItdGVzdHM=";
  Start({{"WEBHOOK_SECRET", secret}});
  const auto unsigned_reply = PostStatus(port_, SampleStatus(), "msg_unsigned");
  ASSERT_TRUE(unsigned_reply);
  EXPECT_EQ(unsigned_reply->status, 401);
  const auto wrong_key = SignatureVerifier::FromSecret("whsec_b3RoZXIta2V5");
  ASSERT_TRUE(wrong_key);
  const auto forged = PostStatus(port_, SampleStatus(), "msg_forged", false, &*wrong_key);
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 401);
  const auto key = SignatureVerifier::FromSecret(secret);
  ASSERT_TRUE(key);
  const auto signed_reply = PostStatus(port_, SampleStatus(), "msg_signed", true, &*key);
  ASSERT_TRUE(signed_reply);
  EXPECT_EQ(signed_reply->status, 200);
  const auto line = WaitForLogLine("webhook", "chk_1");
  ASSERT_TRUE(line) << process_->Log();
  EXPECT_EQ(line->at("webhook_id"), "msg_signed");
  const std::string log = process_->Log();
  EXPECT_EQ(testing::CountEvents(log, "webhook"), 1) << log;
  EXPECT_NE(log.find("signature_check=on"), std::string::npos) << log;
  EXPECT_NE(log.find("reason=\"signature: no webhook-signature matches WEBHOOK_SECRET\""),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find(secret), std::string::npos) << log;
}

TEST_F(SampleHookTest, ServesManyKeptAliveConnectionsAtOnce) {
  // A webhookworker posts over many connections it keeps open. A server with fewer threads than
  // connections leaves the extra ones waiting until an idle one times out (seconds).
  Start();
  constexpr int kConnections = 24;
  std::atomic<int> accepted{0};
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::thread> senders;
  for (int c = 0; c < kConnections; ++c) {
    senders.emplace_back([&, c] {
      httplib::Client client("127.0.0.1", port_);
      client.set_keep_alive(true);
      const std::string body = SampleStatus().SerializeAsString();
      for (int i = 0; i < 2; ++i) {
        const auto result = client.Post("/", {{"webhook-id", "msg_" + std::to_string(c)}}, body,
                                        "application/protobuf");
        if (result && result->status == 200) {
          ++accepted;
        } else {
          ADD_FAILURE() << "connection " << c << " post " << i << ": "
                        << (result ? std::to_string(result->status)
                                   : httplib::to_string(result.error()));
        }
      }
    });
  }
  for (auto& sender : senders) sender.join();
  EXPECT_EQ(accepted.load(), 2 * kConnections);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(4));
}

TEST_F(SampleHookTest, StopsCleanlyOnSigterm) {
  Start();
  const int status = process_->Stop(SIGTERM, std::chrono::seconds(5));
  ASSERT_TRUE(WIFEXITED(status)) << process_->Log();
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_NE(process_->Log().find("event=stopped"), std::string::npos);
}

TEST(SampleHookConfigTest, FailsFastOnABadPort) {
  const auto result =
      lokahi::testing::RunCommand({lokahi::testing::BinaryPath("receivers/sample_hook")},
                                  {{"PORT", "nine"}}, std::chrono::seconds(10));
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(
      result.output.find(
          "component=sample_hook event=bad_configuration error=\"PORT must be a whole number"),
      std::string::npos)
      << result.output;
}

}  // namespace
}  // namespace lokahi::receivers
