// slack_hook: relays lokahi's webhooks to a Slack incoming webhook. See receivers/README.md.

#include "receivers/core/slack_message.h"
#include "receivers/serving/chat_relay.h"
#include "receivers/serving/serve_until_signalled.h"

int main() {
  using namespace lokahi::receivers;
  return RunReceiver("slack_hook", [](lokahi::logging::Logger& logger) {
    return RunChatRelay(lokahi::config::Env::Process(), logger, &SlackMessageJson);
  });
}
