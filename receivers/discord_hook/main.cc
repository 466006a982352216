// discord_hook: relays lokahi's webhooks to a Discord channel webhook. See receivers/README.md.

#include "receivers/core/discord_message.h"
#include "receivers/serving/chat_relay.h"
#include "receivers/serving/serve_until_signalled.h"

int main() {
  using namespace lokahi::receivers;
  return RunReceiver("discord_hook", [](lokahi::logging::Logger& logger) {
    return RunChatRelay(lokahi::config::Env::Process(), logger, &DiscordMessageJson);
  });
}
