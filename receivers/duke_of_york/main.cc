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
    ReceiverServer server;
    // Every method and path answers with the current phase, as lokahi's duke-of-york did.
    server.set_pre_routing_handler([&schedule](const httplib::Request&, httplib::Response& res) {
      const bool up = schedule.Now().up;
      res.status = up ? 200 : 500;
      res.set_content(up ? "up" : "down", "text/plain");
      return httplib::Server::HandlerResponse::Handled;
    });
    ServeUntilSignalled(server, config.port, logger);
    logger.Info("stopped");
    return 0;
  });
}
