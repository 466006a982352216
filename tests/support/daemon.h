#pragma once
// Starts one of our binaries as a child process and waits until it listens.

#include <map>
#include <memory>
#include <string>

#include "tests/support/child_process.h"

namespace lokahi::testing {

// Starts `binary` (relative to the build dir, e.g. "lokahid/lokahid") with `env`; when
// `listen_port` is non-zero, waits up to 30 s for it to accept connections and throws with the
// process log if it does not.
std::unique_ptr<ChildProcess> StartDaemon(const std::string& binary,
                                          std::map<std::string, std::string> env,
                                          int listen_port = 0);

// Runs a binary to completion (bounded by `timeout`) and returns its exit code and output.
struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr, interleaved
};
CommandResult RunCommand(const std::vector<std::string>& argv,
                         std::map<std::string, std::string> env = {},
                         std::chrono::milliseconds timeout = std::chrono::seconds(60));

// GET http://127.0.0.1:port/path as an orchestrator or Prometheus would (a daemon's /healthz,
// /metrics): the status, or 0 when nothing answered within 5 s; the body into `body` if given.
int HttpGet(int port, const std::string& path, std::string* body = nullptr);

}  // namespace lokahi::testing
