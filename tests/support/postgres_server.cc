#include "tests/support/postgres_server.h"

#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <stdexcept>

#include "tests/support/ports.h"

namespace lokahi::testing {

std::string PostgresBinDir() {
  namespace fs = std::filesystem;
  std::string best;
  if (fs::exists("/usr/lib/postgresql")) {
    for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql")) {
      const auto bin = entry.path() / "bin";
      if (fs::exists(bin / "postgres") && bin.string() > best) best = bin.string();
    }
  }
  if (best.empty()) throw std::runtime_error("no Postgres server found under /usr/lib/postgresql");
  return best;
}

std::vector<std::string> AsPostgresUser(std::vector<std::string> argv) {
  if (geteuid() != 0) return argv;
  std::vector<std::string> wrapped = {"/usr/bin/setpriv", "--reuid=postgres", "--regid=postgres",
                                      "--init-groups", "--"};
  wrapped.insert(wrapped.end(), argv.begin(), argv.end());
  return wrapped;
}

PostgresServer::PostgresServer() {
  const std::string bin = PostgresBinDir();
  data_dir_ = MakeTempDir("lokahi-test-pg");
  if (geteuid() == 0) {
    const passwd* pg = getpwnam("postgres");
    if (!pg) throw std::runtime_error("user postgres missing: install the postgresql package");
    if (chown(data_dir_.c_str(), pg->pw_uid, pg->pw_gid) != 0) {
      throw std::runtime_error("chown " + data_dir_ + " failed");
    }
  }
  {
    ChildProcess initdb(AsPostgresUser({bin + "/initdb", "-D", data_dir_ + "/data", "-U",
                                        "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"}),
                        {{"LC_ALL", "C.UTF-8"}}, data_dir_ + "-initdb.log");
    if (initdb.WaitExit(std::chrono::seconds(120)) != 0) {
      throw std::runtime_error("initdb failed: " + initdb.Log());
    }
  }
  // Below the ephemeral range: after a Stop, no client's local port can take it meanwhile.
  port_ = FreePortBelowEphemeral();
  Start();
}

void PostgresServer::Start() {
  const std::string bin = PostgresBinDir();
  process_ = std::make_unique<ChildProcess>(
      AsPostgresUser({bin + "/postgres", "-D", data_dir_ + "/data", "-p", std::to_string(port_),
                      "-k", data_dir_, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
                      "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c",
                      "max_connections=300", "-c", "shared_buffers=256MB"}),
      std::map<std::string, std::string>{}, data_dir_ + "-server.log");
  const bool ready = WaitFor(
      [&] {
        try {
          pqxx::connection c(Url("postgres"));
          return true;
        } catch (const std::exception&) {
          return false;
        }
      },
      std::chrono::seconds(60));
  if (!ready) throw std::runtime_error("Postgres did not start: " + process_->Log());
}

// SIGINT is Postgres's fast shutdown: clients are disconnected, as when a server goes away.
void PostgresServer::Stop(int signal) {
  if (process_) process_->Stop(signal, std::chrono::seconds(20));
  process_.reset();
}

PostgresServer::~PostgresServer() {
  Stop();
  std::error_code ignored;
  std::filesystem::remove_all(data_dir_, ignored);
  std::filesystem::remove(data_dir_ + "-server.log", ignored);
  std::filesystem::remove(data_dir_ + "-initdb.log", ignored);
}

std::string PostgresServer::Url(const std::string& database) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

std::string PostgresServer::NewDatabase() {
  const std::string name = "lokahi_test_" + std::to_string(getpid()) + "_" +
                           std::to_string(++database_counter_);
  pqxx::connection c(Url("postgres"));
  pqxx::nontransaction(c).exec0("CREATE DATABASE " + name);
  return Url(name);
}

}  // namespace lokahi::testing
