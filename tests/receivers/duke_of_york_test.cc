// duke-of-york run as a real process with a half-second period.

#include <gtest/gtest.h>
#include <httplib.h>

#include "tests/support/daemon.h"
#include "tests/support/ports.h"

namespace lokahi::receivers {
namespace {

using lokahi::testing::FreePort;
using lokahi::testing::StartDaemon;
using lokahi::testing::WaitFor;

TEST(DukeOfYorkTest, FlipsBetweenUpAndDownEveryPeriod) {
  const int port = FreePort();
  auto process = StartDaemon("receivers/duke-of-york",
                             {{"PORT", std::to_string(port)}, {"DUKE_PERIOD", "0.5"}}, port);
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(std::chrono::seconds(2));
  // Observe, in order, up -> down -> up; a generous bound per step for a loaded machine.
  for (const auto& [status, body] :
       std::vector<std::pair<int, std::string>>{{200, "up"}, {500, "down"}, {200, "up"}}) {
    const bool observed = WaitFor(
        [&] {
          const auto result = client.Get("/");
          return result && result->status == status && result->body == body;
        },
        std::chrono::seconds(3));
    EXPECT_TRUE(observed) << "never saw " << status << " " << body << "\n" << process->Log();
  }
  EXPECT_TRUE(WaitFor(
      [&] { return process->Log().find("event=flip state=down flips=1") != std::string::npos; },
      std::chrono::seconds(2)))
      << process->Log();
  EXPECT_NE(process->Log().find("period_ms=500"), std::string::npos) << process->Log();
}

TEST(DukeOfYorkTest, RefusesABadPeriod) {
  const auto result =
      lokahi::testing::RunCommand({lokahi::testing::BinaryPath("receivers/duke-of-york")},
                                  {{"DUKE_PERIOD", "soon"}}, std::chrono::seconds(10));
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("DUKE_PERIOD must be a number of seconds"), std::string::npos)
      << result.output;
}

}  // namespace
}  // namespace lokahi::receivers
