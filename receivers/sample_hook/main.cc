// sample_hook: logs every webhook lokahi-cpp delivers, one line each. See receivers/README.md.

#include <iostream>

#include "lib/version/version.h"
#include "receivers/core/receiver_config.h"
#include "receivers/sample_hook/sample_hook.h"
#include "receivers/serving/serve_until_signalled.h"

constexpr const char* kHelp =
    "Receives lokahi-cpp webhooks on PORT and logs each one, one line per delivery.\n\n"
    "Configuration is environment variables; see receivers/README.md.";

int main(int argc, char** argv) {
  if (const auto exit_code = lokahi::version::AnswerCommandLine(argc, argv, "sample_hook", kHelp,
                                                                std::cout, std::cerr)) {
    return *exit_code;
  }
  using namespace lokahi::receivers;
  return RunReceiver("sample_hook", [](lokahi::logging::Logger& logger) {
    const auto config = SampleHookConfig::FromEnv(lokahi::config::Env::Process());
    logger.Info("config", {{"port", config.port},
                           {"fail_first", config.fail_first},
                           {"signature_check", config.signature_check ? "on" : "off"}});
    RecentWebhookIds recent(kRememberedWebhookIds);
    SampleHook hook(logger, recent, config.fail_first);
    ServeUntilSignalled(
        WebhookEndpoint(logger, config.signature_check,
                        [&hook](const Delivery& delivery) { return hook.Handle(delivery); }),
        config.listen_address, config.port, logger);
    logger.Info("stopped");
    return 0;
  });
}
