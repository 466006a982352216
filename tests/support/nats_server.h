#pragma once
// Private nats-servers on free loopback ports: one server, or a cluster of several. Stop, Kill
// and Start keep the ports, so tests can take NATS away and bring it back.

#include <memory>
#include <string>
#include <vector>

#include "tests/support/child_process.h"

namespace lokahi::testing {

struct NatsServerOptions {
  // Clients must authenticate with user and password, or with token, when set.
  std::string user, password;
  std::string token;
  // Clustering: this server's route port and the other members' route ports.
  int cluster_port = 0;
  std::vector<int> routes;
};

class NatsServer {
 public:
  NatsServer() : NatsServer(NatsServerOptions{}) {}
  explicit NatsServer(NatsServerOptions options);
  ~NatsServer();
  void Stop();  // SIGTERM: clients see a clean close
  void Kill();  // SIGKILL: clients see the connection drop
  void Start();
  bool Running() const { return process_ != nullptr; }
  int port() const { return port_; }
  // Without credentials, whatever the server requires.
  std::string Url() const { return "nats://127.0.0.1:" + std::to_string(port_); }
  // With the credentials the options set (user:password@ or token@).
  std::string UrlWithCredentials() const;

 private:
  NatsServerOptions options_;
  int port_ = 0;
  std::string log_path_;
  std::unique_ptr<ChildProcess> process_;
};

// `size` servers routed to each other as one cluster, all on loopback.
class NatsCluster {
 public:
  explicit NatsCluster(int size = 3);
  NatsServer& node(size_t i) { return *nodes_.at(i); }
  size_t size() const { return nodes_.size(); }
  // NATS_URL's list form: "nats://127.0.0.1:P1,nats://127.0.0.1:P2,…".
  std::string Urls() const;
  // The member a client's ConnectedUrl() names, or -1.
  int IndexOf(const std::string& url) const;

 private:
  std::vector<std::unique_ptr<NatsServer>> nodes_;
};

}  // namespace lokahi::testing
