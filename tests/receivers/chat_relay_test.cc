// discord_hook and slack_hook run as real processes, relaying to a fake chat service on 127.0.0.1.

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <iostream>
#include <optional>
#include <thread>

#include "receivers/core/utf8_truncation.h"
#include "tests/receivers/receiver_fixtures.h"
#include "tests/support/daemon.h"
#include "tests/support/ports.h"

namespace lokahi::receivers {
namespace {

using lokahi::testing::FreePort;
using lokahi::testing::StartDaemon;
using lokahi::testing::WaitFor;
using testing::FakeChatEndpoint;
using testing::PostAlert;
using testing::PostStatus;
using testing::SampleAlert;
using testing::SampleStatus;

constexpr auto kRelayWait = std::chrono::seconds(10);

google::protobuf::Struct ParseJson(const std::string& json) {
  google::protobuf::Struct parsed;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &parsed).ok()) << json;
  return parsed;
}

class ChatRelayTest : public ::testing::Test {
 protected:
  // Starts the fake chat service with `script`, then `binary` relaying to it.
  FakeChatEndpoint& Start(const std::string& binary, std::vector<FakeChatEndpoint::Answer> script,
                          std::map<std::string, std::string> env = {}) {
    endpoint_ = std::make_unique<FakeChatEndpoint>(std::move(script));
    port_ = FreePort();
    env["PORT"] = std::to_string(port_);
    if (!env.count("WEBHOOK_URL")) env["WEBHOOK_URL"] = endpoint_->WebhookUrl();
    process_ = StartDaemon(binary, env, port_);
    return *endpoint_;
  }
  bool WaitForLog(const std::string& text) {
    return WaitFor([&] { return process_->Log().find(text) != std::string::npos; }, kRelayWait);
  }
  void ExpectTokenNeverLogged() {
    EXPECT_EQ(process_->Log().find(FakeChatEndpoint::kSecretToken), std::string::npos)
        << process_->Log();
  }

  int port_ = 0;
  // Declared first so it is destroyed last: the relay stops before its chat service does.
  std::unique_ptr<FakeChatEndpoint> endpoint_;
  std::unique_ptr<lokahi::testing::ChildProcess> process_;
};

TEST_F(ChatRelayTest, DiscordHookForwardsTheMessage) {
  FakeChatEndpoint& endpoint = Start("receivers/discord_hook", {});
  const auto reply = PostStatus(port_, SampleStatus(), "msg_discord");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->get_header_value("Content-Type"), "application/protobuf");

  const auto received = endpoint.WaitForRequests(1, kRelayWait);
  ASSERT_EQ(received.size(), 1u) << process_->Log();
  EXPECT_EQ(received[0].path, std::string("/api/webhooks/123/") + FakeChatEndpoint::kSecretToken);
  EXPECT_EQ(received[0].content_type, "application/json");
  const auto message = ParseJson(received[0].body);
  EXPECT_EQ(message.fields().at("content").string_value(),
            "🔴 check chk_1 is DOWN (was UP) — https://example.com/health "
            "answered 500 in 2.3 ms. "
            "Playbook: https://wiki.example.com/playbooks/web");
  ASSERT_TRUE(
      WaitForLog("event=forward_delivered check_id=chk_1 transition_id=42 "
                 "webhook_id=msg_discord status_code=200"))
      << process_->Log();
  EXPECT_NE(process_->Log().find("webhook_url=http://127.0.0.1:" + std::to_string(endpoint.port()) +
                                 "/***"),
            std::string::npos)
      << process_->Log();
  ExpectTokenNeverLogged();
}

TEST_F(ChatRelayTest, DiscordHookKeepsAHugePlaybookWithinTheLimit) {
  FakeChatEndpoint& endpoint = Start("receivers/discord_hook", {});
  auto status = SampleStatus();
  std::string playbook = "https://wiki.example.com/";
  for (int i = 0; i < 2000; ++i) playbook += "ü🔴/";
  status.mutable_check()->set_playbook_url(playbook);
  const auto reply = PostStatus(port_, status, "msg_huge", /*json=*/true);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, "{}");
  const auto received = endpoint.WaitForRequests(1, kRelayWait);
  ASSERT_EQ(received.size(), 1u) << process_->Log();
  const std::string content = ParseJson(received[0].body).fields().at("content").string_value();
  EXPECT_LE(Utf16Length(content), 2000u);
  EXPECT_GT(Utf16Length(content), 1990u);
  EXPECT_EQ(content.substr(content.size() - 3), "…");
  EXPECT_EQ(content.rfind("🔴 check chk_1 is DOWN (was UP)", 0), 0u);
}

TEST_F(ChatRelayTest, AnswersAFailureUntilTheChatServiceAccepts) {
  // The relay keeps nothing: lokahi's outbox holds the alert until the chat service took it.
  FakeChatEndpoint& endpoint = Start("receivers/discord_hook", {{500}, {500}, {200}});
  const auto first = PostStatus(port_, SampleStatus(), "msg_retry");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 502);
  EXPECT_NE(first->body.find("chat service did not accept the message (answered 500)"),
            std::string::npos)
      << first->body;
  EXPECT_EQ(PostStatus(port_, SampleStatus(), "msg_retry")->status, 502);
  EXPECT_EQ(PostStatus(port_, SampleStatus(), "msg_retry")->status, 200);
  const auto received = endpoint.WaitForRequests(3, kRelayWait);
  ASSERT_EQ(received.size(), 3u) << process_->Log();
  EXPECT_EQ(ParseJson(received[0].body).fields().at("content").string_value(),
            ParseJson(received[2].body).fields().at("content").string_value());
  EXPECT_EQ(testing::CountEvents(process_->Log(), "forward_failed"), 2);
  EXPECT_EQ(testing::CountEvents(process_->Log(), "forward_delivered"), 1);
  // Once accepted, a redelivery (lokahi did not see our answer) is not posted again.
  EXPECT_EQ(PostStatus(port_, SampleStatus(), "msg_retry")->status, 200);
  EXPECT_EQ(endpoint.WaitForRequests(4, std::chrono::milliseconds(300)).size(), 3u);
  ExpectTokenNeverLogged();
}

TEST_F(ChatRelayTest, AnUnreachableChatServiceIsAFailureNotAnAcceptance) {
  const std::string nobody = "http://127.0.0.1:" + std::to_string(FreePort()) +
                             "/api/webhooks/123/" + FakeChatEndpoint::kSecretToken;
  Start("receivers/discord_hook", {}, {{"WEBHOOK_URL", nobody}});
  const auto reply = PostStatus(port_, SampleStatus(), "msg_nobody");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 502);
  EXPECT_NE(reply->body.find("no answer"), std::string::npos) << reply->body;
  ASSERT_TRUE(
      WaitForLog("event=forward_failed check_id=chk_1 transition_id=42 "
                 "webhook_id=msg_nobody status_code=0"))
      << process_->Log();
  ExpectTokenNeverLogged();
}

TEST_F(ChatRelayTest, RelaysARedeliveryOnlyOnce) {
  FakeChatEndpoint& endpoint = Start("receivers/discord_hook", {});
  ASSERT_EQ(PostStatus(port_, SampleStatus(), "msg_twice")->status, 200);
  ASSERT_EQ(PostStatus(port_, SampleStatus(), "msg_twice")->status, 200);
  ASSERT_EQ(PostStatus(port_, SampleStatus(), "msg_other")->status, 200);
  ASSERT_EQ(endpoint.WaitForRequests(2, kRelayWait).size(), 2u) << process_->Log();
  EXPECT_EQ(endpoint.WaitForRequests(3, std::chrono::milliseconds(300)).size(), 2u);
  EXPECT_NE(process_->Log().find("event=webhook_duplicate check_id=chk_1 transition_id=42 "
                                 "webhook_id=msg_twice"),
            std::string::npos)
      << process_->Log();
}

TEST_F(ChatRelayTest, WaitsOutAShortRetryAfterItself) {
  FakeChatEndpoint& endpoint =
      Start("receivers/discord_hook", {{429, "1.5"}, {200}}, {{"FORWARD_GROUP_WINDOW_MS", "0"}});
  const auto start = std::chrono::steady_clock::now();
  const auto reply = PostStatus(port_, SampleStatus(), "msg_429");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1500));
  const auto received = endpoint.WaitForRequests(2, kRelayWait);
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(ParseJson(received[0].body).fields().at("content").string_value(),
            ParseJson(received[1].body).fields().at("content").string_value());
  ASSERT_TRUE(
      WaitForLog("event=forward_rate_limited group_size=1 status_code=429 "
                 "error=\"{\\\"message\\\": \\\"scripted failure\\\"}\" "
                 "retry_after_ms=1500"))
      << process_->Log();
}

TEST_F(ChatRelayTest, PassesOnARetryAfterLongerThanItHolds) {
  FakeChatEndpoint& endpoint =
      Start("receivers/discord_hook", {{429, "2.5"}, {200}},
            {{"FORWARD_GROUP_WINDOW_MS", "0"}, {"FORWARD_BUSY_WAIT_MS", "500"}});
  const auto limited = PostStatus(port_, SampleStatus(), "msg_429");
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->status, 503);
  // Handed back as soon as the 429 came, not at the end of its wait: ~2.5 s left, rounded up.
  EXPECT_EQ(limited->get_header_value("Retry-After"), "3");
  ASSERT_TRUE(WaitForLog("webhook_id=msg_429 reason=\"rate limited by the chat service\""))
      << process_->Log();
  // Nothing is posted before the chat service's time; then the retry goes through.
  EXPECT_EQ(endpoint.WaitForRequests(2, std::chrono::milliseconds(1500)).size(), 1u);
  EXPECT_TRUE(WaitFor(
      [&] {
        const auto retry = PostStatus(port_, SampleStatus(), "msg_429");
        return retry && retry->status == 200;
      },
      kRelayWait));
  EXPECT_EQ(endpoint.WaitForRequests(2, kRelayWait).size(), 2u);
}

TEST_F(ChatRelayTest, ASecondCopyOfADeliveryUnderWayIsNotAcceptedEarly) {
  // Were the copy answered 200 while the first post might still fail, the alert could be lost.
  FakeChatEndpoint& endpoint =
      Start("receivers/discord_hook", {{500, "", std::chrono::milliseconds(1500)}, {200}});
  std::optional<int> first_status;
  std::thread first([&] {
    const auto reply = PostStatus(port_, SampleStatus(), "msg_same");
    if (reply) first_status = reply->status;
  });
  ASSERT_EQ(endpoint.WaitForRequests(1, kRelayWait).size(), 1u);
  const auto copy = PostStatus(port_, SampleStatus(), "msg_same");
  first.join();
  ASSERT_TRUE(copy);
  EXPECT_EQ(copy->status, 409);
  EXPECT_EQ(copy->get_header_value("Retry-After"), "1");
  EXPECT_EQ(first_status, 502);
  EXPECT_EQ(PostStatus(port_, SampleStatus(), "msg_same")->status, 200);
  EXPECT_EQ(endpoint.WaitForRequests(2, kRelayWait).size(), 2u);
}

TEST_F(ChatRelayTest, AnswersBusyWhenTheChatServiceIsHeldTooLong) {
  FakeChatEndpoint& endpoint =
      Start("receivers/discord_hook", {{200, "", std::chrono::milliseconds(2000)}},
            {{"FORWARD_BUSY_WAIT_MS", "200"}, {"FORWARD_GROUP_WINDOW_MS", "0"}});
  std::thread slow([&] { PostStatus(port_, SampleStatus(), "msg_slow"); });
  ASSERT_EQ(endpoint.WaitForRequests(1, kRelayWait).size(), 1u);
  const auto busy = PostStatus(port_, SampleStatus(), "msg_next");
  slow.join();
  ASSERT_TRUE(busy);
  EXPECT_EQ(busy->status, 503);
  ASSERT_TRUE(
      WaitForLog("event=webhook_refused check_id=chk_1 transition_id=42 "
                 "webhook_id=msg_next reason=\"relay busy\""))
      << process_->Log();
  // Refused, not remembered: lokahi's retry is relayed.
  EXPECT_EQ(PostStatus(port_, SampleStatus(), "msg_next")->status, 200);
  EXPECT_EQ(endpoint.WaitForRequests(2, kRelayWait).size(), 2u);
}

TEST_F(ChatRelayTest, SlackHookForwardsAnAttachment) {
  FakeChatEndpoint& endpoint = Start("receivers/slack_hook", {});
  auto status = SampleStatus();
  status.mutable_check()->set_state(github::xe::lokahi::Check::UP);
  status.set_previous_state(github::xe::lokahi::Check::DOWN);
  status.set_resp_status_code(200);
  ASSERT_EQ(PostStatus(port_, status, "msg_slack")->status, 200);
  const auto received = endpoint.WaitForRequests(1, kRelayWait);
  ASSERT_EQ(received.size(), 1u) << process_->Log();
  EXPECT_EQ(received[0].content_type, "application/json");
  const auto message = ParseJson(received[0].body);
  EXPECT_EQ(message.fields().at("text").string_value(), "🟢 check chk_1 is UP (was DOWN)");
  const auto& attachment = message.fields().at("attachments").list_value().values(0).struct_value();
  EXPECT_EQ(attachment.fields().at("color").string_value(), "good");
  const auto& fields = attachment.fields().at("fields").list_value();
  ASSERT_EQ(fields.values_size(), 4);
  EXPECT_EQ(fields.values(1).struct_value().fields().at("title").string_value(), "Result");
  EXPECT_EQ(fields.values(1).struct_value().fields().at("value").string_value(),
            "answered 200 in 2.3 ms");
  ASSERT_TRUE(WaitForLog("webhook_id=msg_slack status_code=200")) << process_->Log();
  ExpectTokenNeverLogged();
}

// What a storm test saw at the sender's side.
struct StormResult {
  int acknowledged = 0;  // deliveries answered 200
  int attempts = 0;      // posts, retries included
  std::chrono::milliseconds took{0};
};

// Delivers `count` transitions of distinct checks as lokahi's webhookworker does: `senders`
// deliveries in flight, each retried after the Retry-After of a 503/409 (1 s after anything else)
// until it is answered 200 or `deadline` passes.
StormResult DeliverStorm(int port, int count, int senders, std::chrono::seconds deadline) {
  std::atomic<int> next{0};
  std::atomic<int> acknowledged{0};
  std::atomic<int> attempts{0};
  const auto start = std::chrono::steady_clock::now();
  const auto give_up = start + deadline;
  std::vector<std::thread> threads;
  for (int t = 0; t < senders; ++t) {
    threads.emplace_back([&] {
      httplib::Client client("127.0.0.1", port);
      client.set_read_timeout(std::chrono::seconds(15));
      for (int i = next++; i < count; i = next++) {
        auto status = SampleStatus();
        status.mutable_check()->set_id("chk_" + std::to_string(i));
        status.set_transition_id(i + 1);
        const std::string body = status.SerializeAsString();
        const httplib::Headers headers = {{"webhook-id", "msg_storm_" + std::to_string(i)}};
        while (std::chrono::steady_clock::now() < give_up) {
          ++attempts;
          const auto reply = client.Post("/twirp/github.xe.lokahi.Webhook/Handle", headers, body,
                                         "application/protobuf");
          if (reply && reply->status == 200) {
            ++acknowledged;
            break;
          }
          std::chrono::milliseconds wait(1000);
          if (reply && reply->has_header("Retry-After")) {
            wait = std::chrono::seconds(std::stoi(reply->get_header_value("Retry-After")));
          }
          std::this_thread::sleep_for(wait);  // the sender's backoff, as the webhookworker's
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  return {acknowledged.load(), attempts.load(),
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                start)};
}

struct StormCase {
  const char* binary;
  bool announces_limits;  // Discord announces X-RateLimit-*; Slack only answers 429
};

class ChatRelayStormTest : public ChatRelayTest, public ::testing::WithParamInterface<StormCase> {};

TEST_P(ChatRelayStormTest, TenThousandTransitionsAreAFewPostsWithinTheRateLimitAndNoneLost) {
  // Discord's webhook limit is 5 posts per 2 s; Slack's about one a second with short bursts.
  constexpr int kTransitions = 10000;
  endpoint_ = std::make_unique<FakeChatEndpoint>(
      std::vector<FakeChatEndpoint::Answer>{},
      FakeChatEndpoint::RateLimit{5, std::chrono::milliseconds(2000), GetParam().announces_limits});
  port_ = FreePort();
  process_ = StartDaemon(GetParam().binary,
                         {{"PORT", std::to_string(port_)},
                          {"WEBHOOK_URL", endpoint_->WebhookUrl()},
                          {"FORWARD_GROUP_WINDOW_MS", "250"}},
                         port_);
  // 256 in flight: the webhookworker's default LOKAHI_WEBHOOK_CONCURRENCY.
  const StormResult storm = DeliverStorm(port_, kTransitions, 256, std::chrono::seconds(50));
  ASSERT_EQ(storm.acknowledged, kTransitions) << "after " << storm.took.count() << " ms";

  const auto accepted = endpoint_->Accepted();
  int carried = 0;
  for (const std::string& body : accepted) carried += FakeChatEndpoint::NotificationsIn(body);
  // Every acknowledged transition is in exactly one message the chat service accepted.
  EXPECT_EQ(carried, kTransitions);
  EXPECT_LE(accepted.size(), 100u);  // 256 deliveries at most per message
  // Never posted into a limit the service had announced or a Retry-After it had sent.
  EXPECT_EQ(endpoint_->Early(), 0);
  if (GetParam().announces_limits) {
    EXPECT_EQ(endpoint_->RateLimited(), 0);
  }
  RecordProperty("posts", static_cast<int>(accepted.size()));
  RecordProperty("rate_limited", endpoint_->RateLimited());
  RecordProperty("sender_attempts", storm.attempts);
  RecordProperty("took_ms", static_cast<int>(storm.took.count()));
  std::cout << GetParam().binary << ": " << kTransitions << " transitions in " << accepted.size()
            << " posts, " << endpoint_->RateLimited() << " answered 429, " << storm.attempts
            << " sender attempts, " << storm.took.count() << " ms\n";
}

INSTANTIATE_TEST_SUITE_P(BothRelays, ChatRelayStormTest,
                         ::testing::Values(StormCase{"receivers/discord_hook", true},
                                           StormCase{"receivers/slack_hook", false}),
                         [](const auto& info) {
                           return std::string(info.param.announces_limits ? "Discord" : "Slack");
                         });

TEST_F(ChatRelayTest, DiscordHookFormatsAlertNotifications) {
  using github::xe::lokahi::AlertStatus;
  FakeChatEndpoint& endpoint =
      Start("receivers/discord_hook", {}, {{"FORWARD_GROUP_WINDOW_MS", "0"}});
  ASSERT_EQ(PostAlert(port_, SampleAlert(AlertStatus::RAISED), "nt_1")->status, 200);
  auto reminder = SampleAlert(AlertStatus::REMINDER);
  reminder.set_notify_count(4);
  ASSERT_EQ(PostAlert(port_, reminder, "nt_2", /*json=*/false)->status, 200);
  const auto received = endpoint.WaitForRequests(2, kRelayWait);
  ASSERT_EQ(received.size(), 2u) << process_->Log();
  EXPECT_EQ(ParseJson(received[0].body).fields().at("content").string_value(),
            "🚨 alert web1/backup raised (notification 1): nightly backup missing\n"
            "no file since 02:00\nImportance: URGENT");
  EXPECT_EQ(ParseJson(received[1].body).fields().at("content").string_value(),
            "🔔 alert web1/backup still raised (notification 4): nightly backup missing\n"
            "no file since 02:00\nImportance: URGENT");
  ASSERT_TRUE(
      WaitForLog("event=forward_delivered alert=web1/backup notification_id=7 "
                 "webhook_id=nt_1 status_code=200"))
      << process_->Log();
}

TEST_F(ChatRelayTest, SlackHookGroupsChecksAndAlertsThatArriveTogether) {
  using github::xe::lokahi::AlertStatus;
  FakeChatEndpoint& endpoint =
      Start("receivers/slack_hook", {}, {{"FORWARD_GROUP_WINDOW_MS", "1500"}});
  auto acknowledged = SampleAlert(AlertStatus::ACKNOWLEDGED);
  acknowledged.mutable_alert()->set_acknowledged_by("ann");
  acknowledged.mutable_alert()->set_ack_note("restoring from tape");
  std::vector<std::thread> senders;
  std::atomic<int> accepted{0};
  senders.emplace_back(
      [&] { accepted += PostStatus(port_, SampleStatus(), "msg_1")->status == 200; });
  senders.emplace_back([&] { accepted += PostAlert(port_, acknowledged, "nt_1")->status == 200; });
  senders.emplace_back([&] {
    accepted += PostAlert(port_, SampleAlert(AlertStatus::CLEARED), "nt_2")->status == 200;
  });
  for (auto& sender : senders) sender.join();
  EXPECT_EQ(accepted, 3);
  const auto received = endpoint.WaitForRequests(1, kRelayWait);
  ASSERT_EQ(received.size(), 1u) << process_->Log();
  const auto message = ParseJson(received[0].body);
  EXPECT_EQ(message.fields().at("text").string_value(),
            "📣 3 notifications: 1 🔴 DOWN, 1 🤝 acknowledged, 1 ✅ cleared");
  const auto& attachments = message.fields().at("attachments").list_value();
  ASSERT_EQ(attachments.values_size(), 3);
  bool found_ack = false;
  for (const auto& value : attachments.values()) {
    const auto& fields = value.struct_value().fields();
    if (fields.at("title").string_value().find("acknowledged by ann") == std::string::npos) {
      continue;
    }
    found_ack = true;
    EXPECT_EQ(fields.at("color").string_value(), "warning");
    std::map<std::string, std::string> shown;
    for (const auto& field : fields.at("fields").list_value().values()) {
      shown[field.struct_value().fields().at("title").string_value()] =
          field.struct_value().fields().at("value").string_value();
    }
    EXPECT_EQ(shown["Kind"], "acknowledged");
    EXPECT_EQ(shown["Notifications"], "1");
    EXPECT_EQ(shown["Note"], "restoring from tape");
    EXPECT_EQ(shown["Detail"], "no file since 02:00");
  }
  EXPECT_TRUE(found_ack) << received[0].body;
}

TEST(ChatRelayConfigTest, FailsFastWithoutAWebhookUrl) {
  for (const std::string binary : {"receivers/discord_hook", "receivers/slack_hook"}) {
    const auto result = lokahi::testing::RunCommand(
        {lokahi::testing::BinaryPath(binary)}, {{"WEBHOOK_URL", ""}}, std::chrono::seconds(10));
    EXPECT_EQ(result.exit_code, 2) << binary;
    EXPECT_NE(result.output.find("event=bad_configuration error=\"WEBHOOK_URL must be set"),
              std::string::npos)
        << result.output;
  }
}

}  // namespace
}  // namespace lokahi::receivers
