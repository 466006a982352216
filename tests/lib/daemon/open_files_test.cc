// Daemons raise their open-files limit and refuse, at start and by name, an in-flight setting the
// limit cannot hold.

#include "lib/daemon/open_files.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "tests/support/daemon.h"

namespace lokahi::daemon {
namespace {

TEST(OpenFilesTest, RaisesTheSoftLimitToTheHardOne) {
  const uint64_t limit = RaiseOpenFilesLimit();
  rlimit now{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &now), 0);
  EXPECT_EQ(now.rlim_cur, now.rlim_max);
  EXPECT_EQ(limit, now.rlim_max == RLIM_INFINITY ? UINT64_MAX : now.rlim_max);
}

TEST(OpenFilesTest, RefusesWhatTheLimitCannotHoldNamingTheSetting) {
  EXPECT_NO_THROW(RequireOpenFiles(1064, 1064, "LOKAHI_MAX_IN_FLIGHT=1000"));
  try {
    RequireOpenFiles(20064, 1024, "LOKAHI_MAX_IN_FLIGHT=20000");
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(),
                 "LOKAHI_MAX_IN_FLIGHT=20000 needs about 20064 open files but the limit is 1024"
                 " (raise the hard limit: ulimit -Hn, LimitNOFILE=, or docker --ulimit nofile)");
  }
}

// Runs COMMAND through the shell; returns its exit status and combined output.
std::pair<int, std::string> Shell(const std::string& command) {
  std::string output;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return {-1, ""};
  std::array<char, 512> buffer{};
  while (fgets(buffer.data(), buffer.size(), pipe)) output += buffer.data();
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

TEST(OpenFilesTest, HealthworkerWithMoreInFlightThanFilesStopsAtStartSayingWhy) {
  // Nothing listens on port 1: the check must come before any connection is tried.
  const auto [status, output] = Shell(
      "env DATABASE_URL=postgresql://127.0.0.1:1/none NATS_URL=nats://127.0.0.1:1"
      " LOKAHI_MAX_IN_FLIGHT=5000 timeout 20 prlimit --nofile=512:512 " +
      testing::BinaryPath("healthworker/healthworker"));
  EXPECT_EQ(status, 2) << output;
  EXPECT_NE(
      output.find("component=healthworker event=bad_configuration error=\"LOKAHI_MAX_IN_FLIGHT="
                  "5000 needs about 5064 open files but the limit is 512"),
      std::string::npos)
      << output;
}

}  // namespace
}  // namespace lokahi::daemon
