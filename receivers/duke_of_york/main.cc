// duke-of-york: an HTTP target that is up for DUKE_PERIOD seconds, then down for as long, and
// so on, for watching lokahi's transitions and webhooks fire. See receivers/README.md.

#include "receivers/core/duke_schedule.h"
#include "receivers/core/receiver_config.h"
#include "receivers/duke_of_york/flip_announcer.h"
#include "receivers/serving/serve_until_signalled.h"

int main() {
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
    ServeUntilSignalled(answer_phase, config.port, logger);
    logger.Info("stopped");
    return 0;
  });
}
