// `lokahictl maintenance …`: the command line and the Create request it makes.

#include <gtest/gtest.h>

#include "lokahictl/cli_args.h"
#include "lokahictl/commands.h"
#include "lokahictl/maintenance_commands.h"

namespace lokahi::lokahictl {
namespace {

github::xe::lokahi::MaintenanceWindow Request(std::vector<std::string> argv) {
  argv.insert(argv.begin(), {"maintenance", "create"});
  return MaintenanceCreateRequest(ParseArgs(argv, CommandFlags()));
}

std::string UsageErrorOf(std::vector<std::string> argv) {
  try {
    Request(std::move(argv));
  } catch (const UsageError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no usage error";
  return "";
}

TEST(MaintenanceArgs, WeeklyBySelector) {
  const auto r = Request({"--selector", "team=payments", "--weekly", "Sun 02:00-04:00 Europe/Paris",
                          "--reason", "db upgrades"});
  EXPECT_EQ(r.selector(), "team=payments");
  EXPECT_EQ(r.weekly().weekday(), "Sun");
  EXPECT_EQ(r.weekly().from(), "02:00");
  EXPECT_EQ(r.weekly().to(), "04:00");
  EXPECT_EQ(r.weekly().time_zone(), "Europe/Paris");
  EXPECT_EQ(r.reason(), "db upgrades");
  EXPECT_FALSE(r.has_start());
}

TEST(MaintenanceArgs, StartEndAndDuration) {
  const auto r = Request(
      {"--check", "a,b", "--start", "2026-12-06T02:00:00+01:00", "--end", "2026-12-06T04:00:00Z"});
  EXPECT_EQ(r.check_ids_size(), 2);
  EXPECT_EQ(r.start().seconds(), 1796518800);  // 01:00 UTC
  EXPECT_EQ(r.end().seconds(), 1796529600);
  EXPECT_EQ(Request({"--selector", "env=prod", "--duration", "1h30m"}).duration_seconds(), 5400);
}

TEST(MaintenanceArgs, MistakesNameTheFlag) {
  EXPECT_NE(UsageErrorOf({"--duration", "30m"}).find("needs --selector"), std::string::npos);
  EXPECT_NE(UsageErrorOf({"--selector", "a=b"}).find("exactly one of"), std::string::npos);
  EXPECT_NE(
      UsageErrorOf({"--selector", "a=b", "--duration", "30m", "--weekly", "Sun 01:00-02:00 UTC"})
          .find("exactly one of"),
      std::string::npos);
  EXPECT_NE(UsageErrorOf({"--selector", "a=b", "--start", "2026-12-06T02:00:00Z"})
                .find("--start and --end go together"),
            std::string::npos);
  EXPECT_NE(UsageErrorOf({"--selector", "a=b", "--start", "tomorrow", "--end", "later"})
                .find("--start must be an RFC 3339 time"),
            std::string::npos);
  EXPECT_NE(UsageErrorOf({"--selector", "a=b", "--duration", "30"}).find("--duration: "),
            std::string::npos);
  EXPECT_NE(
      UsageErrorOf({"--selector", "a=b", "--weekly", "Sunday"}).find("--weekly must look like"),
      std::string::npos);
}

TEST(MaintenanceArgs, DeleteTakesTheWindowId) {
  const auto a = ParseArgs({"maintenance", "delete", "ID"}, CommandFlags());
  EXPECT_EQ(a.positional, (std::vector<std::string>{"delete", "ID"}));
}

}  // namespace
}  // namespace lokahi::lokahictl
