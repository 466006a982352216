#include "lib/metrics/ops_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

#include "lib/metrics/exposition.h"

namespace lokahi::metrics {

namespace {
// Scrapes and probes are rare and small; a couple of threads serve them without competing with
// the daemon's real work (httplib's default is max(8, cores - 1)).
constexpr size_t kServerThreads = 2;
}  // namespace

class OpsServer::Impl {
 public:
  Impl(int port, Registry& registry, ReadinessCheck readiness)
      : registry_(registry), readiness_(std::move(readiness)) {
    server_.new_task_queue = [] { return new httplib::ThreadPool(kServerThreads); };
    // httplib's default sets SO_REUSEPORT, which lets a second daemon bind the same port and
    // silently take half the scrapes; SO_REUSEADDR alone still allows a quick restart.
    server_.set_socket_options([](int socket) {
      const int yes = 1;
      setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
    server_.Get("/metrics", [this](const httplib::Request&, httplib::Response& response) {
      response.set_content(registry_.Render(), std::string(kExpositionContentType).c_str());
    });
    server_.Get("/healthz", [this](const httplib::Request&, httplib::Response& response) {
      const Readiness readiness = Evaluate(readiness_);
      response.status = readiness.ready ? 200 : 503;
      response.set_content(readiness.ready ? "ok\n" : readiness.reason + "\n", "text/plain");
    });
    if (!server_.bind_to_port("0.0.0.0", port)) {
      throw std::runtime_error("ops server: cannot listen on 0.0.0.0:" + std::to_string(port) +
                               " (LOKAHI_METRICS_PORT): port in use or not permitted");
    }
    thread_ = std::thread([this] {
      server_.listen_after_bind();
      finished_ = true;
    });
  }

  ~Impl() {
    // httplib's stop() only acts once the listen loop has started; wait for that (or for the
    // loop's early exit) so a server destroyed right after construction does not hang.
    while (!server_.is_running() && !finished_) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    server_.stop();
    thread_.join();
  }

 private:
  Registry& registry_;
  const ReadinessCheck readiness_;
  httplib::Server server_;
  std::atomic<bool> finished_{false};
  std::thread thread_;
};

OpsServer::OpsServer(int port, Registry& registry, ReadinessCheck readiness) {
  if (port < 0 || port > 65535) {
    throw std::invalid_argument("ops server: port " + std::to_string(port) + " is out of range");
  }
  if (port != 0) impl_ = std::make_unique<Impl>(port, registry, std::move(readiness));
}

OpsServer::~OpsServer() = default;

}  // namespace lokahi::metrics
