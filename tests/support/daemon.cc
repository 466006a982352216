#include "tests/support/daemon.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <stdexcept>

#include "tests/support/ports.h"
#include "tests/support/raw_http.h"

namespace lokahi::testing {
namespace {
std::string NextLogPath(const std::string& binary) {
  static std::atomic<int> counter{0};
  const std::string base = std::filesystem::path(binary).filename().string();
  return "/tmp/lokahi-test-" + std::to_string(getpid()) + "-" + base + "-" +
         std::to_string(counter.fetch_add(1)) + ".log";
}
}  // namespace

std::unique_ptr<ChildProcess> StartDaemon(const std::string& binary,
                                          std::map<std::string, std::string> env, int listen_port) {
  auto process = std::make_unique<ChildProcess>(std::vector<std::string>{BinaryPath(binary)},
                                                std::move(env), NextLogPath(binary));
  if (listen_port != 0) {
    const bool up = WaitFor([&] { return PortAccepts(listen_port) || !process->Running(); },
                            std::chrono::seconds(30));
    if (!up || !process->Running()) {
      throw std::runtime_error(binary + " did not start listening on " +
                               std::to_string(listen_port) + ":\n" + process->Log());
    }
  }
  return process;
}

CommandResult RunCommand(const std::vector<std::string>& argv,
                         std::map<std::string, std::string> env,
                         std::chrono::milliseconds timeout) {
  const std::string log = NextLogPath(argv.at(0));
  CommandResult result;
  {
    ChildProcess process(argv, std::move(env), log);
    result.exit_code = process.WaitExit(timeout);
    result.output = process.Log();
  }
  std::error_code ignored;
  std::filesystem::remove(log, ignored);
  return result;
}

int HttpGet(int port, const std::string& path, std::string* body) {
  try {
    RawConnection connection(port);
    if (!connection.Send("GET " + path +
                         " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")) {
      return 0;
    }
    const auto response = connection.ReadResponse(std::chrono::seconds(5));
    if (!response) return 0;
    if (body) *body = response->body;
    return response->status;
  } catch (const std::runtime_error&) {
    return 0;  // nothing listens
  }
}

}  // namespace lokahi::testing
