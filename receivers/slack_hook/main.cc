// slack_hook: relays lokahi's webhooks to a Slack incoming webhook. See receivers/README.md.

#include <iostream>

#include "lib/version/version.h"
#include "receivers/core/slack_message.h"
#include "receivers/serving/chat_relay.h"
#include "receivers/serving/serve_until_signalled.h"

constexpr const char* kHelp =
    "Receives lokahi-cpp webhooks on PORT and relays them to a Slack incoming webhook.\n\n"
    "Configuration is environment variables; see receivers/README.md.";

int main(int argc, char** argv) {
  if (const auto exit_code = lokahi::version::AnswerCommandLine(argc, argv, "slack_hook", kHelp,
                                                                std::cout, std::cerr)) {
    return *exit_code;
  }
  using namespace lokahi::receivers;
  return RunReceiver("slack_hook", [](lokahi::logging::Logger& logger) {
    return RunChatRelay(lokahi::config::Env::Process(), logger, &SlackGroupJson);
  });
}
