#include "receivers/core/slack_message.h"

#include <google/protobuf/util/time_util.h>

#include "receivers/core/alert_words.h"
#include "receivers/core/chat_group.h"
#include "receivers/core/chat_json.h"
#include "receivers/core/transition_words.h"
#include "receivers/core/utf8_truncation.h"

namespace lokahi::receivers {
namespace {

using github::xe::lokahi::Check;

// Truncation comes before escaping so it can never cut an entity such as "&amp;" in half.
std::string SlackText(std::string_view text, std::size_t limit) {
  return EscapeSlackText(TruncateUtf8(text, limit));
}

google::protobuf::Value Field(std::string_view title, std::string_view value, bool is_short) {
  google::protobuf::Value field;
  auto& entries = *field.mutable_struct_value()->mutable_fields();
  entries["title"] = StringValue(title);
  entries["value"] = StringValue(SlackText(value, kSlackFieldLimit));
  entries["short"] = BoolValue(is_short);
  return field;
}

}  // namespace

std::string_view SlackColor(Check::State state) {
  switch (state) {
    case Check::UP:
      return "good";
    case Check::DOWN:
      return "danger";
    default:
      return "warning";
  }
}

std::string EscapeSlackText(std::string_view text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        escaped += "&amp;";
        break;
      case '<':
        escaped += "&lt;";
        break;
      case '>':
        escaped += "&gt;";
        break;
      default:
        escaped += c;
    }
  }
  return escaped;
}

namespace {

struct SlackParts {
  std::string headline;
  google::protobuf::Value attachment;
};

SlackParts PartsOf(const github::xe::lokahi::CheckStatus& status) {
  SlackParts parts;
  parts.headline = std::string(StateEmoji(status.check().state())) + " " + Headline(status);
  auto& attachment_fields = *parts.attachment.mutable_struct_value()->mutable_fields();
  attachment_fields["color"] = StringValue(SlackColor(status.check().state()));
  attachment_fields["fallback"] = StringValue(SlackText(
      parts.headline + " — " + status.check().url() + " " + ProbeOutcome(status), kSlackTextLimit));
  auto& fields = *attachment_fields["fields"].mutable_list_value();
  *fields.add_values() = Field("URL", status.check().url(), false);
  *fields.add_values() = Field("Result", ProbeOutcome(status), true);
  *fields.add_values() = Field("Transition", std::to_string(status.transition_id()), true);
  if (!status.check().playbook_url().empty()) {
    *fields.add_values() = Field("Playbook", status.check().playbook_url(), false);
  }
  return parts;
}

std::string_view AlertColor(AlertKind kind) {
  switch (kind) {
    case github::xe::lokahi::AlertStatus::RAISED:
    case github::xe::lokahi::AlertStatus::REMINDER:
      return "danger";
    case github::xe::lokahi::AlertStatus::RECOVERED:
    case github::xe::lokahi::AlertStatus::CLEARED:
      return "good";
    default:
      return "warning";
  }
}

SlackParts PartsOf(const github::xe::lokahi::AlertStatus& status) {
  const auto& alert = status.alert();
  SlackParts parts;
  parts.headline = std::string(AlertKindEmoji(status.kind())) + " " + AlertHeadline(status);
  auto& attachment_fields = *parts.attachment.mutable_struct_value()->mutable_fields();
  attachment_fields["color"] = StringValue(AlertColor(status.kind()));
  attachment_fields["fallback"] = StringValue(SlackText(parts.headline, kSlackTextLimit));
  auto& fields = *attachment_fields["fields"].mutable_list_value();
  if (!alert.detail().empty()) *fields.add_values() = Field("Detail", alert.detail(), false);
  *fields.add_values() = Field("Kind", AlertKindName(status.kind()), true);
  *fields.add_values() = Field("Notifications", std::to_string(status.notify_count()), true);
  *fields.add_values() = Field("State", AlertStateName(alert.state()), true);
  *fields.add_values() =
      Field("Importance", github::xe::lokahi::Alert::Importance_Name(alert.importance()), true);
  if (status.kind() == github::xe::lokahi::AlertStatus::ACKNOWLEDGED) {
    if (!alert.acknowledged_by().empty()) {
      *fields.add_values() = Field("Acknowledged by", alert.acknowledged_by(), true);
    }
    if (alert.has_acknowledged_until()) {
      *fields.add_values() = Field(
          "Until", google::protobuf::util::TimeUtil::ToString(alert.acknowledged_until()), true);
    }
    if (!alert.ack_note().empty()) *fields.add_values() = Field("Note", alert.ack_note(), false);
  }
  return parts;
}

SlackParts PartsOf(const Notification& notification) {
  return std::visit([](const auto& body) { return PartsOf(body); }, notification);
}

std::string MessageJson(const std::string& text, std::vector<google::protobuf::Value> attachments) {
  google::protobuf::Struct message;
  auto& entries = *message.mutable_fields();
  entries["text"] = StringValue(SlackText(text, kSlackTextLimit));
  auto& list = *entries["attachments"].mutable_list_value();
  for (auto& attachment : attachments) *list.add_values() = std::move(attachment);
  return SerializeJson(message);
}

std::string SingleMessageJson(SlackParts parts) {
  std::vector<google::protobuf::Value> attachments;
  attachments.push_back(std::move(parts.attachment));
  return MessageJson(parts.headline, std::move(attachments));
}

}  // namespace

std::string SlackMessageJson(const github::xe::lokahi::CheckStatus& status) {
  return SingleMessageJson(PartsOf(status));
}

std::string SlackGroupJson(std::span<const Notification> group) {
  if (group.size() == 1) return SingleMessageJson(PartsOf(group.front()));
  std::vector<google::protobuf::Value> attachments;
  for (std::size_t i = 0; i < group.size() && i < kGroupShownFirst; ++i) {
    SlackParts parts = PartsOf(group[i]);
    (*parts.attachment.mutable_struct_value()->mutable_fields())["title"] =
        StringValue(SlackText(parts.headline, kSlackFieldLimit));
    attachments.push_back(std::move(parts.attachment));
  }
  std::string text = "📣 " + GroupHeadline(group);
  if (const std::string more = GroupRemainder(group); !more.empty()) text += "\n" + more;
  return MessageJson(text, std::move(attachments));
}

}  // namespace lokahi::receivers
