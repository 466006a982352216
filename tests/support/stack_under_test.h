#pragma once
// The whole stack as a user runs it, for end-to-end tests: lokahid, healthworkers, webhookworkers
// and sample_hook as real processes over a database of their own in the shared Postgres and the
// shared nats-server. Every daemon is started the same way: its environment (DATABASE_URL,
// NATS_URL, a LOKAHI_METRICS_PORT of its own, then the test's own variables, which win), its log in
// the stack's directory, and it counts as started only once its /healthz answers 200 (lokahid also
// once its PORT accepts); a daemon that exits or stays unready for 30 s throws with its log. The
// stack stops what still runs when destroyed (SIGTERM, then SIGKILL after 10 s) and removes its
// logs, unless the test failed: then they are kept and their paths printed.
//
// Not thread-safe: one test thread starts and stops its daemons.

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/child_process.h"

namespace lokahi::testing {

using Env = std::map<std::string, std::string>;

class StackUnderTest {
 public:
  // Over a new database in the shared Postgres, or `database_url` when given. Starts nothing.
  // Ports for lokahid and sample_hook are chosen now (below the ephemeral range, so a restart
  // finds them free) and kept across restarts.
  explicit StackUnderTest(std::string database_url = "");
  ~StackUnderTest();
  StackUnderTest(const StackUnderTest&) = delete;
  StackUnderTest& operator=(const StackUnderTest&) = delete;

  // Each returns the started process, owned by the stack until it is destroyed (a stopped one
  // keeps its log). `env` is added last and wins.
  ChildProcess& StartLokahid(const Env& env = {});
  ChildProcess& StartHealthworker(const Env& env = {});
  ChildProcess& StartWebhookworker(const Env& env = {});
  ChildProcess& StartSampleHook(const Env& env = {});

  // SIGTERM, up to `grace` for the exit, then SIGKILL; true when it exited by itself with 0.
  // The log of a failed stop is added to the test's failure message by the caller's EXPECT.
  static bool StopCleanly(ChildProcess& process,
                          std::chrono::milliseconds grace = std::chrono::seconds(20));

  const std::string& database_url() const { return database_url_; }
  const std::string& nats_url() const { return nats_url_; }
  int lokahid_port() const { return lokahid_port_; }
  // "127.0.0.1:PORT", for a gRPC channel.
  std::string LokahidAddress() const;
  // "http://127.0.0.1:PORT" + path of lokahid's one port.
  std::string LokahidUrl(const std::string& path) const;
  int sample_hook_port() const { return sample_hook_port_; }
  // "http://127.0.0.1:PORT" + path of sample_hook.
  std::string SampleHookUrl(const std::string& path) const;
  const std::string& log_dir() const { return log_dir_; }

 private:
  // Starts `binary` with `env`; waits for `health_port`'s /healthz (and for `service_port` to
  // accept when non-zero).
  ChildProcess& Start(const std::string& binary, Env env, int health_port, int service_port);
  // A worker: DATABASE_URL, NATS_URL and a metrics port of its own, then `env`.
  ChildProcess& StartWorker(const std::string& binary, const Env& env);

  std::string database_url_;
  std::string nats_url_;
  std::string log_dir_;
  int lokahid_port_ = 0;
  int sample_hook_port_ = 0;
  int started_ = 0;
  std::vector<std::unique_ptr<ChildProcess>> processes_;  // in start order
};

}  // namespace lokahi::testing
