#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <sstream>
#include <vector>

#include "receivers/core/alert_words.h"
#include "receivers/core/chat_group.h"
#include "receivers/core/discord_message.h"
#include "receivers/core/slack_message.h"
#include "receivers/core/transition_words.h"
#include "receivers/core/utf8_truncation.h"

namespace lokahi::receivers {
namespace {

using github::xe::lokahi::Check;
using github::xe::lokahi::CheckStatus;
using google::protobuf::Struct;

CheckStatus DownStatus() {
  CheckStatus status;
  status.mutable_check()->set_id("chk_1");
  status.mutable_check()->set_url("https://example.com/health");
  status.mutable_check()->set_playbook_url("https://wiki.example.com/playbooks/web");
  status.mutable_check()->set_state(Check::DOWN);
  status.set_previous_state(Check::UP);
  status.set_last_response_time_nanoseconds(2'265'000);
  status.set_resp_status_code(500);
  status.set_transition_id(42);
  return status;
}

CheckStatus ErrorStatus() {
  CheckStatus status = DownStatus();
  status.mutable_check()->set_state(Check::ERROR);
  status.mutable_check()->clear_playbook_url();
  status.set_resp_status_code(0);
  status.mutable_last_probe()->set_error("connect: connection refused");
  return status;
}

Struct ParseJson(const std::string& json) {
  Struct parsed;
  const auto result = google::protobuf::util::JsonStringToMessage(json, &parsed);
  EXPECT_TRUE(result.ok()) << result.message() << " in " << json;
  return parsed;
}

const google::protobuf::Value& At(const Struct& object, const std::string& key) {
  const auto it = object.fields().find(key);
  if (it == object.fields().end()) throw std::out_of_range("no field " + key);
  return it->second;
}

TEST(TransitionWordsTest, NamesStatesAndFormatsLatency) {
  EXPECT_EQ(StateName(Check::DOWN), "DOWN");
  EXPECT_EQ(StateName(static_cast<Check::State>(9)), "UNKNOWN(9)");
  EXPECT_EQ(FormatMilliseconds(2'265'000, 3), "2.265");
  EXPECT_EQ(FormatMilliseconds(2'265'000, 1), "2.3");
  EXPECT_EQ(FormatMilliseconds(0, 1), "0.0");
  EXPECT_EQ(ProbeOutcome(DownStatus()), "answered 500 in 2.3 ms");
  EXPECT_EQ(ProbeOutcome(ErrorStatus()), "did not answer: connect: connection refused");
}

TEST(DiscordMessageTest, SaysWhatChangedAndWhereThePlaybookIs) {
  EXPECT_EQ(DiscordContent(DownStatus()),
            "🔴 check chk_1 is DOWN (was UP) — https://example.com/health "
            "answered 500 in 2.3 ms. "
            "Playbook: https://wiki.example.com/playbooks/web");
}

TEST(DiscordMessageTest, NoAnswerShowsTheErrorAndNoPlaybookLeavesItOut) {
  EXPECT_EQ(DiscordContent(ErrorStatus()),
            "🟠 check chk_1 is ERROR (was UP) — https://example.com/health "
            "did not answer: "
            "connect: connection refused.");
  CheckStatus recovered = DownStatus();
  recovered.mutable_check()->set_state(Check::UP);
  recovered.set_previous_state(Check::DOWN);
  recovered.set_resp_status_code(200);
  EXPECT_EQ(DiscordContent(recovered).rfind("🟢 check chk_1 is UP (was DOWN)", 0), 0u);
}

TEST(DiscordMessageTest, AHugePlaybookUrlIsCutToDiscordsLimit) {
  CheckStatus status = DownStatus();
  std::string huge = "https://wiki.example.com/";
  for (int i = 0; i < 3000; ++i) huge += "é🔴";  // multi-byte all the way to the cut
  status.mutable_check()->set_playbook_url(huge);
  const std::string content = DiscordContent(status);
  EXPECT_LE(Utf16Length(content), kDiscordContentLimit);
  EXPECT_GE(Utf16Length(content), kDiscordContentLimit - 2);
  EXPECT_EQ(content.substr(content.size() - 3), "…");
  EXPECT_EQ(content.rfind("🔴 check chk_1 is DOWN (was UP)", 0), 0u);
}

TEST(DiscordMessageTest, JsonCarriesTheContentAndDisablesMentions) {
  CheckStatus status = DownStatus();
  status.mutable_last_probe()->set_error("quote \" and backslash \\ and @everyone");
  status.set_resp_status_code(0);
  const Struct message = ParseJson(DiscordMessageJson(status));
  EXPECT_EQ(At(message, "content").string_value(), DiscordContent(status));
  const Struct& mentions = At(message, "allowed_mentions").struct_value();
  EXPECT_TRUE(At(mentions, "parse").has_list_value());
  EXPECT_EQ(At(mentions, "parse").list_value().values_size(), 0);
}

TEST(SlackMessageTest, UsesAttachmentsWithColourAndFields) {
  const Struct message = ParseJson(SlackMessageJson(DownStatus()));
  EXPECT_EQ(At(message, "text").string_value(), "🔴 check chk_1 is DOWN (was UP)");
  const auto& attachments = At(message, "attachments").list_value();
  ASSERT_EQ(attachments.values_size(), 1);
  const Struct& attachment = attachments.values(0).struct_value();
  EXPECT_EQ(At(attachment, "color").string_value(), "danger");
  EXPECT_NE(At(attachment, "fallback").string_value().find("answered 500 in 2.3 ms"),
            std::string::npos);
  const auto& fields = At(attachment, "fields").list_value();
  ASSERT_EQ(fields.values_size(), 4);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"URL", "https://example.com/health"},
      {"Result", "answered 500 in 2.3 ms"},
      {"Transition", "42"},
      {"Playbook", "https://wiki.example.com/playbooks/web"}};
  for (int i = 0; i < fields.values_size(); ++i) {
    const Struct& field = fields.values(i).struct_value();
    EXPECT_EQ(At(field, "title").string_value(), expected[i].first);
    EXPECT_EQ(At(field, "value").string_value(), expected[i].second);
    EXPECT_EQ(At(field, "short").bool_value(),
              expected[i].first == "Result" || expected[i].first == "Transition");
  }
}

TEST(SlackMessageTest, ColoursEachStateAndOmitsAMissingPlaybook) {
  EXPECT_EQ(SlackColor(Check::UP), "good");
  EXPECT_EQ(SlackColor(Check::DOWN), "danger");
  EXPECT_EQ(SlackColor(Check::ERROR), "warning");
  const Struct message = ParseJson(SlackMessageJson(ErrorStatus()));
  const Struct& attachment = At(message, "attachments").list_value().values(0).struct_value();
  EXPECT_EQ(At(attachment, "color").string_value(), "warning");
  const auto& fields = At(attachment, "fields").list_value();
  ASSERT_EQ(fields.values_size(), 3);
  EXPECT_EQ(At(fields.values(1).struct_value(), "value").string_value(),
            "did not answer: connect: connection refused");
}

TEST(SlackMessageTest, EscapesMarkupAndCutsLongValues) {
  EXPECT_EQ(EscapeSlackText("a & <b> <!channel>"), "a &amp; &lt;b&gt; &lt;!channel&gt;");
  CheckStatus status = DownStatus();
  status.mutable_check()->set_id("<!channel>");
  status.mutable_check()->set_url("https://example.com/" + std::string(5000, 'x'));
  const Struct message = ParseJson(SlackMessageJson(status));
  EXPECT_EQ(At(message, "text").string_value(), "🔴 check &lt;!channel&gt; is DOWN (was UP)");
  const Struct& url_field = At(message, "attachments")
                                .list_value()
                                .values(0)
                                .struct_value()
                                .fields()
                                .at("fields")
                                .list_value()
                                .values(0)
                                .struct_value();
  const std::string& url = At(url_field, "value").string_value();
  EXPECT_EQ(Utf16Length(url), kSlackFieldLimit);
  EXPECT_EQ(url.substr(url.size() - 3), "…");
}

std::vector<Notification> Storm(int down, int up, int error) {
  std::vector<Notification> group;
  auto add = [&](int count, Check::State state, const std::string& prefix) {
    for (int i = 0; i < count; ++i) {
      CheckStatus status = DownStatus();
      status.mutable_check()->set_id(prefix + std::to_string(i));
      status.mutable_check()->set_state(state);
      group.emplace_back(std::move(status));
    }
  };
  add(down, Check::DOWN, "down_");
  add(up, Check::UP, "up_");
  add(error, Check::ERROR, "err_");
  return group;
}

TEST(GroupedMessageTest, AGroupOfOneIsTheSingleMessage) {
  const std::vector<Notification> one{DownStatus()};
  // JSON objects' key order may differ.
  using google::protobuf::util::MessageDifferencer;
  EXPECT_TRUE(MessageDifferencer::Equals(ParseJson(DiscordGroupJson(one)),
                                         ParseJson(DiscordMessageJson(DownStatus()))));
  EXPECT_TRUE(MessageDifferencer::Equals(ParseJson(SlackGroupJson(one)),
                                         ParseJson(SlackMessageJson(DownStatus()))));
}

TEST(GroupedMessageTest, DiscordCountsEachKindAndShowsTheFirstFew) {
  // Arrival order mixes kinds; the headline lists the most urgent first.
  std::vector<Notification> group = Storm(0, 3, 1);
  for (auto& notification : Storm(8, 0, 0)) group.push_back(std::move(notification));
  const std::string content =
      ParseJson(DiscordGroupJson(group)).fields().at("content").string_value();
  std::vector<std::string> lines;
  std::istringstream stream(content);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 7u) << content;
  EXPECT_EQ(lines[0], "📣 12 notifications: 8 🔴 DOWN, 1 🟠 ERROR, 3 🟢 UP");
  EXPECT_EQ(lines[1].rfind("🟢 check up_0 is UP (was UP) — https://example.com/health", 0), 0u);
  EXPECT_EQ(lines[4].rfind("🟠 check err_0 is ERROR", 0), 0u);
  EXPECT_EQ(lines[5].rfind("🔴 check down_0 is DOWN", 0), 0u);
  EXPECT_EQ(lines[6], "…and 7 more");
  EXPECT_TRUE(ParseJson(DiscordGroupJson(group))
                  .fields()
                  .at("allowed_mentions")
                  .struct_value()
                  .fields()
                  .at("parse")
                  .list_value()
                  .values()
                  .empty());
}

TEST(GroupedMessageTest, DiscordKeepsAStormOfHugeUrlsWithinItsLimit) {
  std::vector<Notification> group;
  for (int i = 0; i < 10000; ++i) {
    CheckStatus status = DownStatus();
    status.mutable_check()->set_url("https://example.com/" + std::string(5000, 'a'));
    group.emplace_back(std::move(status));
  }
  const std::string content =
      ParseJson(DiscordGroupJson(group)).fields().at("content").string_value();
  EXPECT_LE(Utf16Length(content), kDiscordContentLimit);
  EXPECT_EQ(content.rfind("📣 10000 notifications: 10000 🔴 DOWN\n", 0), 0u);
  EXPECT_NE(content.find("…and 9995 more"), std::string::npos);
}

TEST(GroupedMessageTest, SlackTitlesTheFirstFewAttachmentsAndCountsTheRest) {
  const std::vector<Notification> group = Storm(2, 5, 0);
  const Struct message = ParseJson(SlackGroupJson(group));
  EXPECT_EQ(message.fields().at("text").string_value(),
            "📣 7 notifications: 2 🔴 DOWN, 5 🟢 UP\n…and 2 more");
  const auto& attachments = message.fields().at("attachments").list_value();
  ASSERT_EQ(attachments.values_size(), 5);
  const auto& first = attachments.values(0).struct_value().fields();
  EXPECT_EQ(first.at("title").string_value(), "🔴 check down_0 is DOWN (was UP)");
  EXPECT_EQ(first.at("color").string_value(), "danger");
  EXPECT_EQ(attachments.values(4).struct_value().fields().at("title").string_value(),
            "🟢 check up_2 is UP (was UP)");
}

github::xe::lokahi::AlertStatus Alert(github::xe::lokahi::AlertStatus::Kind kind) {
  github::xe::lokahi::AlertStatus status;
  status.mutable_alert()->set_source("web1");
  status.mutable_alert()->set_id("backup");
  status.mutable_alert()->set_subject("nightly backup missing");
  status.set_kind(kind);
  status.set_notify_count(2);
  return status;
}

TEST(AlertWordsTest, HeadlinesSayWhatHappenedAndHowOften) {
  using github::xe::lokahi::AlertStatus;
  EXPECT_EQ(AlertHeadline(Alert(AlertStatus::RAISED)),
            "alert web1/backup raised (notification 2): nightly backup missing");
  EXPECT_EQ(AlertHeadline(Alert(AlertStatus::REMINDER)),
            "alert web1/backup still raised (notification 2): nightly backup missing");
  EXPECT_EQ(AlertHeadline(Alert(AlertStatus::RECOVERED)),
            "alert web1/backup recovered: nightly backup missing");
  EXPECT_EQ(AlertHeadline(Alert(AlertStatus::CLEARED)),
            "alert web1/backup cleared: nightly backup missing");
  auto acknowledged = Alert(AlertStatus::ACKNOWLEDGED);
  acknowledged.mutable_alert()->set_acknowledged_by("ann");
  acknowledged.mutable_alert()->mutable_acknowledged_until()->set_seconds(1796558400);
  acknowledged.mutable_alert()->clear_subject();
  acknowledged.mutable_alert()->clear_source();
  EXPECT_EQ(AlertHeadline(acknowledged),
            "alert backup acknowledged by ann until 2026-12-06T12:00:00Z");
  EXPECT_EQ(AlertKindName(static_cast<AlertKind>(42)), "unknown(42)");
}

TEST(GroupedMessageTest, AlertsAreCountedByKindAmongChecks) {
  using github::xe::lokahi::AlertStatus;
  std::vector<Notification> group = Storm(1, 1, 0);
  group.emplace_back(Alert(AlertStatus::CLEARED));
  group.emplace_back(Alert(AlertStatus::RAISED));
  group.emplace_back(Alert(AlertStatus::RAISED));
  group.emplace_back(Alert(AlertStatus::REMINDER));
  EXPECT_EQ(
      GroupHeadline(group),
      "6 notifications: 1 🔴 DOWN, 2 🚨 raised, 1 🔔 reminder, 1 🟢 UP, 1 ✅ cleared");
}

}  // namespace
}  // namespace lokahi::receivers
