#pragma once
// A private Postgres for tests: initdb into a temporary directory and a free port. When the tests
// run as root (CI), the server runs as the `postgres` user, since initdb refuses root.

#include <signal.h>

#include <memory>
#include <string>

#include "tests/support/child_process.h"

namespace lokahi::testing {

class PostgresServer {
 public:
  PostgresServer();
  ~PostgresServer();
  int port() const { return port_; }
  // Stop and Start keep the data and the port, so tests can see a daemon ride out an outage.
  // SIGINT is a fast shutdown; SIGQUIT an immediate one (no checkpoint: crash recovery on Start).
  void Stop(int signal = SIGINT);
  void Start();
  // A new, empty database on this server; returns its URL.
  std::string NewDatabase();
  std::string Url(const std::string& database) const;

 private:
  std::string data_dir_;
  int port_ = 0;
  int database_counter_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

// Prefix that runs a command as the postgres user when we are root, nothing otherwise.
std::vector<std::string> AsPostgresUser(std::vector<std::string> argv);
std::string PostgresBinDir();

}  // namespace lokahi::testing
