#include "tests/support/nats_server.h"

#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>

#include "tests/support/ports.h"

namespace lokahi::testing {

namespace {
std::string NatsServerBinary() {
  for (const char* candidate :
       {"/usr/bin/nats-server", "/usr/sbin/nats-server", "/usr/local/bin/nats-server"}) {
    if (access(candidate, X_OK) == 0) return candidate;
  }
  throw std::runtime_error("nats-server not found: install the nats-server package");
}

std::string RouteUrl(int port) { return "nats://127.0.0.1:" + std::to_string(port); }
}  // namespace

NatsServer::NatsServer(NatsServerOptions options)
    : options_(std::move(options)), port_(FreePortBelowEphemeral()) {
  log_path_ =
      "/tmp/lokahi-test-nats-" + std::to_string(getpid()) + "-" + std::to_string(port_) + ".log";
  Start();
}

NatsServer::~NatsServer() {
  Stop();
  std::error_code ignored;
  std::filesystem::remove(log_path_, ignored);
}

std::string NatsServer::UrlWithCredentials() const {
  std::string userinfo;
  if (!options_.user.empty()) userinfo = options_.user + ":" + options_.password + "@";
  if (!options_.token.empty()) userinfo = options_.token + "@";
  return "nats://" + userinfo + "127.0.0.1:" + std::to_string(port_);
}

void NatsServer::Start() {
  std::vector<std::string> argv = {NatsServerBinary(), "-a", "127.0.0.1", "-p",
                                   std::to_string(port_)};
  if (!options_.user.empty()) {
    argv.insert(argv.end(), {"--user", options_.user, "--pass", options_.password});
  }
  if (!options_.token.empty()) argv.insert(argv.end(), {"--auth", options_.token});
  if (options_.cluster_port != 0) {
    argv.insert(argv.end(),
                {"--cluster_name", "lokahi-test", "--cluster", RouteUrl(options_.cluster_port)});
    std::string routes;
    for (const int route : options_.routes) {
      routes += (routes.empty() ? "" : ",") + RouteUrl(route);
    }
    if (!routes.empty()) argv.insert(argv.end(), {"--routes", routes});
  }
  process_ = std::make_unique<ChildProcess>(argv, std::map<std::string, std::string>{}, log_path_);
  if (!WaitFor([&] { return PortAccepts(port_); }, std::chrono::seconds(20))) {
    throw std::runtime_error("nats-server did not start: " + process_->Log());
  }
}

void NatsServer::Stop() {
  if (process_) process_->Stop(SIGTERM, std::chrono::seconds(10));
  process_.reset();
}

void NatsServer::Kill() {
  if (process_) process_->Stop(SIGKILL, std::chrono::seconds(10));
  process_.reset();
}

NatsCluster::NatsCluster(int size) {
  std::vector<int> cluster_ports;
  for (int i = 0; i < size; ++i) cluster_ports.push_back(FreePortBelowEphemeral());
  for (int i = 0; i < size; ++i) {
    NatsServerOptions options;
    options.cluster_port = cluster_ports[i];
    for (int j = 0; j < size; ++j) {
      if (j != i) options.routes.push_back(cluster_ports[j]);
    }
    nodes_.push_back(std::make_unique<NatsServer>(options));
  }
}

std::string NatsCluster::Urls() const {
  std::string urls;
  for (const auto& node : nodes_) urls += (urls.empty() ? "" : ",") + node->Url();
  return urls;
}

int NatsCluster::IndexOf(const std::string& url) const {
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (url.find(":" + std::to_string(nodes_[i]->port())) != std::string::npos) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

}  // namespace lokahi::testing
