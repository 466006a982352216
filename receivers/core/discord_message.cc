#include "receivers/core/discord_message.h"

#include "receivers/core/alert_words.h"
#include "receivers/core/chat_group.h"
#include "receivers/core/chat_json.h"
#include "receivers/core/transition_words.h"
#include "receivers/core/utf8_truncation.h"

namespace lokahi::receivers {

std::string DiscordContent(const github::xe::lokahi::CheckStatus& status) {
  std::string content = std::string(StateEmoji(status.check().state())) + " " + Headline(status) +
                        " — " + status.check().url() + " " + ProbeOutcome(status) + ".";
  if (!status.check().playbook_url().empty()) {
    content += " Playbook: " + status.check().playbook_url();
  }
  return TruncateUtf8(content, kDiscordContentLimit);
}

std::string DiscordContent(const github::xe::lokahi::AlertStatus& status) {
  const auto& alert = status.alert();
  std::string content = std::string(AlertKindEmoji(status.kind())) + " " + AlertHeadline(status);
  if (!alert.detail().empty()) content += "\n" + alert.detail();
  if (alert.importance() != github::xe::lokahi::Alert::NORMAL) {
    content += "\nImportance: " + github::xe::lokahi::Alert::Importance_Name(alert.importance());
  }
  if (status.kind() == github::xe::lokahi::AlertStatus::ACKNOWLEDGED && !alert.ack_note().empty()) {
    content += "\nNote: " + alert.ack_note();
  }
  return TruncateUtf8(content, kDiscordContentLimit);
}

namespace {

std::string MessageJson(const std::string& content) {
  google::protobuf::Struct message;
  auto& fields = *message.mutable_fields();
  fields["content"] = StringValue(content);
  google::protobuf::Struct allowed_mentions;
  (*allowed_mentions.mutable_fields())["parse"].mutable_list_value();
  *fields["allowed_mentions"].mutable_struct_value() = std::move(allowed_mentions);
  return SerializeJson(message);
}

std::string ContentOf(const Notification& notification) {
  return std::visit([](const auto& body) { return DiscordContent(body); }, notification);
}

}  // namespace

std::string DiscordMessageJson(const github::xe::lokahi::CheckStatus& status) {
  return MessageJson(DiscordContent(status));
}

std::string DiscordGroupJson(std::span<const Notification> group) {
  if (group.size() == 1) return MessageJson(ContentOf(group.front()));
  std::string content = "📣 " + GroupHeadline(group);
  for (std::size_t i = 0; i < group.size() && i < kGroupShownFirst; ++i) {
    content += "\n" + TruncateUtf8(ContentOf(group[i]), kDiscordGroupLineLimit);
  }
  if (const std::string more = GroupRemainder(group); !more.empty()) content += "\n" + more;
  return MessageJson(TruncateUtf8(content, kDiscordContentLimit));
}

}  // namespace lokahi::receivers
