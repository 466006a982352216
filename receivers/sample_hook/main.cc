// sample_hook: logs every webhook lokahi-cpp delivers, one line each. See receivers/README.md.

#include "receivers/core/receiver_config.h"
#include "receivers/sample_hook/sample_hook.h"
#include "receivers/serving/serve_until_signalled.h"

int main() {
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
        config.port, logger);
    logger.Info("stopped");
    return 0;
  });
}
