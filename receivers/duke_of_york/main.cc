// duke-of-york: an HTTP target that is up for DUKE_PERIOD seconds, then down for as long, and
// so on, for watching lokahi's transitions and webhooks fire. See receivers/README.md.

#include <iostream>

#include "lib/version/version.h"
#include "receivers/core/duke_schedule.h"
#include "receivers/core/receiver_config.h"
#include "receivers/duke_of_york/flip_announcer.h"
#include "receivers/serving/serve_until_signalled.h"

constexpr const char* kHelp =
    "An HTTP target on PORT that is up for DUKE_PERIOD seconds, then down for as long, for\n"
    "watching lokahi's transitions and webhooks fire.\n\n"
    "Configuration is environment variables; see receivers/README.md.";

int main(int argc, char** argv) {
  if (const auto exit_code = lokahi::version::AnswerCommandLine(argc, argv, "duke-of-york", kHelp,
                                                                std::cout, std::cerr)) {
    return *exit_code;
  }
  using namespace lokahi::receivers;
  return RunReceiver("duke-of-york", [](lokahi::logging::Logger& logger) {
    const auto config = DukeConfig::FromEnv(lokahi::config::Env::Process());
    logger.Info("config",
                {{"port", config.port},
                 {"period_ms",
                  std::chrono::duration_cast<std::chrono::milliseconds>(config.period).count()}});
    SteadyClock clock;
    const DukeSchedule schedule(clock, config.period);
    FlipAnnouncer announcer(schedule, logger);
    // Every method and path answers with the current phase, as lokahi's duke-of-york did.
    const auto answer_phase = [&schedule](const lokahi::http::Request&) {
      const bool up = schedule.Now().up;
      lokahi::http::Response response;
      response.status = up ? 200 : 500;
      response.headers.Add("Content-Type", "text/plain");
      response.body = up ? "up" : "down";
      return response;
    };
    ServeUntilSignalled(answer_phase, config.listen_address, config.port, logger);
    logger.Info("stopped");
    return 0;
  });
}
