#include "lib/metrics/ops_server.h"

#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>

#include "lib/http/server.h"
#include "lib/metrics/exposition.h"

namespace lokahi::metrics {

namespace {

// Scrapes and probes are rare and small: a couple of handler threads serve them without competing
// with the daemon's real work, and a few dozen connections are more than any scraper opens.
http::ServerLimits OpsLimits() {
  http::ServerLimits limits;
  limits.max_body_bytes = 0;
  limits.header_deadline = std::chrono::seconds(5);
  limits.body_deadline = std::chrono::seconds(5);
  limits.idle_timeout = std::chrono::seconds(30);
  limits.max_connections = 64;
  limits.io_threads = 1;
  limits.handler_threads = 2;
  return limits;
}

void CheckPort(int port) {
  if (port < 0 || port > 65535) {
    throw std::invalid_argument("ops server: port " + std::to_string(port) + " is out of range");
  }
}

}  // namespace

class OpsServer::Impl {
 public:
  Impl(const std::string& address, int port, Registry& registry, ReadinessCheck readiness,
       logging::Logger* log)
      : registry_(registry),
        readiness_(std::move(readiness)),
        own_log_(log ? std::nullopt : std::make_optional<logging::Logger>("ops_server", std::cerr)),
        log_(log ? *log : *own_log_),
        server_(
            [this](const http::Request& request) {
              http::Response response = Handle(request);
              // Scrapes come every few seconds: worth seeing only when debugging.
              log_.Debug("ops_request", {{"method", request.method},
                                         {"path", request.path.substr(0, 100)},
                                         {"status", response.status}});
              return response;
            },
            OpsLimits(), log_) {
    try {
      server_.Listen(address.empty() ? "0.0.0.0" : address, static_cast<uint16_t>(port));
    } catch (const std::runtime_error& error) {
      throw std::runtime_error("ops server (LOKAHI_METRICS_ADDRESS, LOKAHI_METRICS_PORT): " +
                               std::string(error.what()));
    }
  }

 private:
  http::Response Handle(const http::Request& request) {
    if (request.path != "/metrics" && request.path != "/healthz") {
      return http::TextResponse(404, "not found: the ops port serves /metrics and /healthz");
    }
    if (request.method != "GET" && request.method != "HEAD") {
      http::Response response = http::TextResponse(405, "use GET");
      response.headers.Add("Allow", "GET, HEAD");
      return response;
    }
    if (request.path == "/metrics") {
      http::Response response;
      response.headers.Add("Content-Type", std::string(kExpositionContentType));
      response.body = registry_.Render();
      return response;
    }
    const Readiness readiness = Evaluate(readiness_);
    return http::TextResponse(readiness.ready ? 200 : 503,
                              readiness.ready ? "ok" : readiness.reason);
  }

  Registry& registry_;
  const ReadinessCheck readiness_;
  std::optional<logging::Logger> own_log_;
  logging::Logger& log_;
  http::Server server_;  // last: stopped (and its handlers finished) before the members above go
};

OpsServer::OpsServer(const std::string& address, int port, Registry& registry,
                     ReadinessCheck readiness, logging::Logger& log) {
  CheckPort(port);
  if (port != 0) {
    impl_ = std::make_unique<Impl>(address, port, registry, std::move(readiness), &log);
  }
}

OpsServer::OpsServer(int port, Registry& registry, ReadinessCheck readiness) {
  CheckPort(port);
  if (port != 0) impl_ = std::make_unique<Impl>("", port, registry, std::move(readiness), nullptr);
}

OpsServer::~OpsServer() = default;

}  // namespace lokahi::metrics
