// Runs tests/console/console_browser.js (a real chromium driven by playwright-core) against the
// real stack: lokahid with Postgres and NATS, and a healthworker probing the duke-of-york target
// the script starts. Screenshots land in <build>/tests/console/screenshots.

#include <gtest/gtest.h>

#include "tests/support/daemon.h"
#include "tests/support/ports.h"
#include "tests/support/shared_services.h"

namespace lokahi {
namespace {

using testing::Services;

TEST(ConsoleBrowserTest, APersonLogsInCreatesACheckAndWatchesItFail) {
  const std::string database_url = Services().postgres.NewDatabase();
  const int port = testing::FreePort();
  auto lokahid = testing::StartDaemon("lokahid/lokahid",
                                      {{"DATABASE_URL", database_url},
                                       {"NATS_URL", Services().nats.Url()},
                                       {"PORT", std::to_string(port)},
                                       {"USERPASS", "admin:browser-pass"},
                                       {"LOKAHI_MIN_EVERY", "1"}},
                                      port);
  auto healthworker =
      testing::StartDaemon("healthworker/healthworker", {{"DATABASE_URL", database_url},
                                                         {"NATS_URL", Services().nats.Url()},
                                                         {"LOKAHI_BATCH_MAX_DELAY_MS", "50"}});
  const auto result = testing::RunCommand(
      {LOKAHI_NODE, std::string(LOKAHI_SOURCE_DIR) + "/tests/console/console_browser.js"},
      {{"LOKAHI_URL", "http://127.0.0.1:" + std::to_string(port)},
       {"LOKAHI_USER", "admin"},
       {"LOKAHI_PASSWORD", "browser-pass"},
       {"LOKAHI_WEB_DIR", std::string(LOKAHI_SOURCE_DIR) + "/web"},
       {"DUKE_BINARY", testing::BinaryPath("receivers/duke-of-york")},
       {"DUKE_PORT", std::to_string(testing::FreePort())},
       {"SCREENSHOT_DIR", std::string(LOKAHI_BINARY_DIR) + "/tests/console/screenshots"}},
      std::chrono::seconds(150));
  EXPECT_EQ(result.exit_code, 0) << result.output << "\nlokahid:\n"
                                 << lokahid->Log().substr(0, 4000);
  std::cout << result.output;
}

}  // namespace
}  // namespace lokahi
