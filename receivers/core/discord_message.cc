#include "receivers/core/discord_message.h"

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

std::string DiscordMessageJson(const github::xe::lokahi::CheckStatus& status) {
  google::protobuf::Struct message;
  auto& fields = *message.mutable_fields();
  fields["content"] = StringValue(DiscordContent(status));
  google::protobuf::Struct allowed_mentions;
  (*allowed_mentions.mutable_fields())["parse"].mutable_list_value();
  *fields["allowed_mentions"].mutable_struct_value() = std::move(allowed_mentions);
  return SerializeJson(message);
}

}  // namespace lokahi::receivers
