#pragma once
// A child process owned by a test: started with its own environment, output appended to a log
// file, terminated (SIGTERM, then SIGKILL) when the owner is destroyed.

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace lokahi::testing {

class ChildProcess {
 public:
  // `env` is added to (and overrides) the test's own environment.
  ChildProcess(std::vector<std::string> argv, std::map<std::string, std::string> env,
               std::string log_path);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  int pid() const { return pid_; }
  bool Running();
  // Sends `signal` and waits up to `grace` for exit; SIGKILL after that. Returns the exit status
  // as waitpid reports it, or -1 if it was already reaped.
  int Stop(int signal, std::chrono::milliseconds grace = std::chrono::seconds(10));
  // Waits for the process to exit by itself; returns its exit code, or -1 on timeout.
  int WaitExit(std::chrono::milliseconds timeout);
  std::string Log() const;
  const std::string& log_path() const { return log_path_; }

 private:
  int pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
  std::string log_path_;
};

// Polls `condition` every 20 ms until it holds or `timeout` passes.
bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

// Path of a binary the build produced, e.g. BinaryPath("lokahid/lokahid").
std::string BinaryPath(const std::string& relative);

// A fresh temporary directory (mkdtemp), removed by the caller.
std::string MakeTempDir(const std::string& prefix);

}  // namespace lokahi::testing
