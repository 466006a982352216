#include "receivers/core/slack_message.h"

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

std::string SlackMessageJson(const github::xe::lokahi::CheckStatus& status) {
  const std::string headline =
      std::string(StateEmoji(status.check().state())) + " " + Headline(status);
  google::protobuf::Value attachment;
  auto& attachment_fields = *attachment.mutable_struct_value()->mutable_fields();
  attachment_fields["color"] = StringValue(SlackColor(status.check().state()));
  attachment_fields["fallback"] = StringValue(SlackText(
      headline + " — " + status.check().url() + " " + ProbeOutcome(status), kSlackTextLimit));
  auto& fields = *attachment_fields["fields"].mutable_list_value();
  *fields.add_values() = Field("URL", status.check().url(), false);
  *fields.add_values() = Field("Result", ProbeOutcome(status), true);
  *fields.add_values() = Field("Transition", std::to_string(status.transition_id()), true);
  if (!status.check().playbook_url().empty()) {
    *fields.add_values() = Field("Playbook", status.check().playbook_url(), false);
  }

  google::protobuf::Struct message;
  auto& entries = *message.mutable_fields();
  entries["text"] = StringValue(SlackText(headline, kSlackTextLimit));
  *entries["attachments"].mutable_list_value()->add_values() = std::move(attachment);
  return SerializeJson(message);
}

}  // namespace lokahi::receivers
