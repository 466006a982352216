// Settings every daemon shares, seen as an operator sees them: where each listener binds
// (LOKAHI_LISTEN_ADDRESS, LOKAHI_METRICS_ADDRESS, as `ss -ltn` shows it) and what the logs hold
// (LOKAHI_LOG_LEVEL; configuration errors as structured lines, not free text on stderr).

#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <sstream>

#include "tests/support/daemon.h"
#include "tests/support/ports.h"
#include "tests/support/shared_services.h"

namespace lokahi {
namespace {

using namespace std::chrono_literals;

// The local address of the socket listening on `port`, read from /proc/net/tcp and tcp6 as
// `ss -ltn` does: "127.0.0.1", "0.0.0.0", "::", "::1", or "" when nothing listens there.
std::string ListenerAddress(int port) {
  char wanted_port[8];
  std::snprintf(wanted_port, sizeof wanted_port, "%04X", port);
  for (const std::string table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, state;
      fields >> slot >> local >> remote >> state;
      if (state != "0A") continue;  // TCP_LISTEN
      const auto colon = local.rfind(':');
      if (local.substr(colon + 1) != wanted_port) continue;
      const std::string hex = local.substr(0, colon);
      if (hex == "0100007F") return "127.0.0.1";
      if (hex == "00000000") return "0.0.0.0";
      if (hex == std::string(32, '0')) return "::";
      if (hex == "00000000000000000000000001000000") return "::1";
      return hex;
    }
  }
  return "";
}

std::map<std::string, std::string> BaseEnv() {
  return {{"DATABASE_URL", testing::Services().postgres.NewDatabase()},
          {"NATS_URL", testing::Services().nats.Url()}};
}

struct Started {
  std::unique_ptr<testing::ChildProcess> process;
  int port = 0;          // PORT (lokahid, receivers)
  int metrics_port = 0;  // LOKAHI_METRICS_PORT (daemons)
};

Started Start(const std::string& binary, std::map<std::string, std::string> env) {
  Started started;
  started.port = testing::FreePortBelowEphemeral();
  env["PORT"] = std::to_string(started.port);
  if (binary.find("receivers/") == std::string::npos) {
    started.metrics_port = testing::FreePortBelowEphemeral();
    env["LOKAHI_METRICS_PORT"] = std::to_string(started.metrics_port);
  }
  const bool serves_port =
      binary == "lokahid/lokahid" || binary.find("receivers/") != std::string::npos;
  started.process =
      testing::StartDaemon(binary, env, serves_port ? started.port : started.metrics_port);
  return started;
}

class ListenAddressTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ListenAddressTest, EveryListenerStaysOnTheListenAddress) {
  auto env = BaseEnv();
  env["LOKAHI_LISTEN_ADDRESS"] = "127.0.0.1";
  auto daemon = Start(GetParam(), env);
  if (GetParam() == "lokahid/lokahid" || GetParam().find("receivers/") != std::string::npos) {
    EXPECT_EQ(ListenerAddress(daemon.port), "127.0.0.1") << daemon.process->Log();
  }
  if (daemon.metrics_port != 0) {
    EXPECT_EQ(ListenerAddress(daemon.metrics_port), "127.0.0.1") << daemon.process->Log();
  }
}

INSTANTIATE_TEST_SUITE_P(Daemons, ListenAddressTest,
                         ::testing::Values("lokahid/lokahid", "healthworker/healthworker",
                                           "webhookworker/webhookworker", "receivers/sample_hook",
                                           "receivers/duke-of-york"),
                         [](const auto& info) {
                           std::string name = info.param.substr(info.param.find('/') + 1);
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

TEST(ListenAddressDefaultsTest, UnsetEveryListenerTakesEveryAddressAsBefore) {
  auto daemon = Start("lokahid/lokahid", BaseEnv());
  const std::string api = ListenerAddress(daemon.port);
  EXPECT_TRUE(api == "::" || api == "0.0.0.0") << api;
  EXPECT_EQ(ListenerAddress(daemon.metrics_port), "0.0.0.0");
}

TEST(ListenAddressDefaultsTest, TheMetricsPortCanStayLocalWhileTheApiIsPublic) {
  auto env = BaseEnv();
  env["LOKAHI_METRICS_ADDRESS"] = "127.0.0.1";
  auto daemon = Start("lokahid/lokahid", env);
  const std::string api = ListenerAddress(daemon.port);
  EXPECT_TRUE(api == "::" || api == "0.0.0.0") << api;
  EXPECT_EQ(ListenerAddress(daemon.metrics_port), "127.0.0.1");
  EXPECT_NE(daemon.process->Log().find("LOKAHI_METRICS_ADDRESS=127.0.0.1"), std::string::npos)
      << "the effective configuration names it\n"
      << daemon.process->Log();
}

TEST(LogLevelTest, ErrorLevelKeepsTheInfoLinesOfAWholeRunOut) {
  auto env = BaseEnv();
  env["LOKAHI_LOG_LEVEL"] = "error";
  auto daemon = Start("lokahid/lokahid", env);
  const int status = daemon.process->Stop(SIGTERM, 10s);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << daemon.process->Log();
  EXPECT_EQ(daemon.process->Log().find("level=info"), std::string::npos) << daemon.process->Log();
}

TEST(LogLevelTest, DebugLevelShowsEachOpsRequest) {
  auto env = BaseEnv();
  env["LOKAHI_LOG_LEVEL"] = "debug";
  auto daemon = Start("webhookworker/webhookworker", env);
  testing::HttpGet(daemon.metrics_port, "/healthz");
  EXPECT_TRUE(testing::WaitFor(
      [&] {
        return daemon.process->Log().find(
                   "level=debug component=webhookworker "
                   "event=ops_request method=GET path=/healthz") != std::string::npos;
      },
      10s))
      << daemon.process->Log();
}

TEST(LogLevelTest, InfoIsTheDefault) {
  auto daemon = Start("healthworker/healthworker", BaseEnv());
  testing::HttpGet(daemon.metrics_port, "/healthz");
  EXPECT_TRUE(testing::WaitFor(
      [&] {
        return daemon.process->Log().find("level=info component=healthworker event=started") !=
               std::string::npos;
      },
      10s))
      << daemon.process->Log();
  EXPECT_EQ(daemon.process->Log().find("level=debug"), std::string::npos) << daemon.process->Log();
}

struct BadSetting {
  std::string binary;
  std::string variable;
  std::string value;
  std::string message;
};

class BadSettingTest : public ::testing::TestWithParam<BadSetting> {};

// A bad setting stops the daemon at once with one structured error line naming the variable.
TEST_P(BadSettingTest, IsOneStructuredErrorLineAndExitCode2) {
  auto env = BaseEnv();
  env[GetParam().variable] = GetParam().value;
  const auto result = testing::RunCommand({testing::BinaryPath(GetParam().binary)}, env, 20s);
  EXPECT_EQ(result.exit_code, 2) << result.output;
  const std::string component = GetParam().binary.substr(GetParam().binary.find('/') + 1);
  EXPECT_NE(result.output.find("level=error component=" + component +
                               " event=bad_configuration error=\"" + GetParam().message),
            std::string::npos)
      << result.output;
  std::istringstream lines(result.output);
  for (std::string line; std::getline(lines, line);) {
    EXPECT_EQ(line.rfind("ts=", 0), 0u) << "not a structured line: " << line;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Daemons, BadSettingTest,
    ::testing::Values(
        BadSetting{"lokahid/lokahid", "LOKAHI_LOG_LEVEL", "verbose",
                   "LOKAHI_LOG_LEVEL must be debug, info, warn or error, got \\\"verbose\\\""},
        BadSetting{"lokahid/lokahid", "LOKAHI_LISTEN_ADDRESS", "localhost",
                   "LOKAHI_LISTEN_ADDRESS must be an IP address"},
        BadSetting{"healthworker/healthworker", "LOKAHI_METRICS_ADDRESS", "any",
                   "LOKAHI_METRICS_ADDRESS must be an IP address"},
        BadSetting{"webhookworker/webhookworker", "LOKAHI_LOG_LEVEL", "loud",
                   "LOKAHI_LOG_LEVEL must be"},
        BadSetting{"receivers/sample_hook", "LOKAHI_LISTEN_ADDRESS", "0.0.0.0:9001",
                   "LOKAHI_LISTEN_ADDRESS must be an IP address"},
        BadSetting{"receivers/sample_hook", "LOKAHI_LOG_LEVEL", "trace",
                   "LOKAHI_LOG_LEVEL must be"}),
    [](const auto& info) { return "case" + std::to_string(info.index); });

}  // namespace
}  // namespace lokahi
