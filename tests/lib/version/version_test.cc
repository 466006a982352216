// Every binary answers --version with what it was built from; daemons answer --help and refuse
// arguments they do not take.

#include "lib/version/version.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "tests/support/daemon.h"

namespace lokahi::version {
namespace {

struct Binary {
  const char* path;  // relative to the build directory
  const char* name;
  bool daemon;
};

const Binary kBinaries[] = {
    {"lokahid/lokahid", "lokahid", true},
    {"healthworker/healthworker", "healthworker", true},
    {"webhookworker/webhookworker", "webhookworker", true},
    {"receivers/sample_hook", "sample_hook", true},
    {"receivers/discord_hook", "discord_hook", true},
    {"receivers/slack_hook", "slack_hook", true},
    {"receivers/duke-of-york", "duke-of-york", true},
    {"lokahictl/lokahictl", "lokahictl", false},
};

TEST(Version, EveryBinaryNamesVersionCommitAndBuildDate) {
  const BuildInfo build = Build();
  EXPECT_TRUE(std::regex_match(std::string(build.commit), std::regex("[0-9a-f]{12}|unknown")))
      << build.commit;
  EXPECT_TRUE(std::regex_match(std::string(build.date), std::regex(R"(\d{4}-\d\d-\d\d)")))
      << build.date;
  for (const Binary& binary : kBinaries) {
    // Empty environment: --version needs no configuration.
    const auto result = testing::RunCommand({testing::BinaryPath(binary.path), "--version"}, {},
                                            std::chrono::seconds(20));
    EXPECT_EQ(result.exit_code, 0) << binary.name << ": " << result.output;
    EXPECT_EQ(result.output, std::string(binary.name) + " " + std::string(build.version) +
                                 "\ncommit " + std::string(build.commit) + "\nbuilt " +
                                 std::string(build.date) + "\n")
        << binary.name;
  }
}

TEST(Version, DaemonsAnswerHelpAndRefuseOtherArguments) {
  for (const Binary& binary : kBinaries) {
    if (!binary.daemon) continue;
    const auto help = testing::RunCommand({testing::BinaryPath(binary.path), "--help"}, {},
                                          std::chrono::seconds(20));
    EXPECT_EQ(help.exit_code, 0) << binary.name << ": " << help.output;
    EXPECT_EQ(help.output.rfind("Usage: " + std::string(binary.name) + " [--help | --version]", 0),
              0u)
        << help.output;
    EXPECT_NE(help.output.find("environment variables"), std::string::npos) << help.output;

    const auto wrong = testing::RunCommand({testing::BinaryPath(binary.path), "--port", "80"}, {},
                                           std::chrono::seconds(20));
    EXPECT_EQ(wrong.exit_code, 2) << binary.name << ": " << wrong.output;
    EXPECT_NE(wrong.output.find("takes no arguments"), std::string::npos) << wrong.output;
  }
}

// The build script, run on a source tree that is not a git checkout, records "unknown".
TEST(Version, BuildOutsideGitSaysUnknown) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("lokahi_version_test_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir / "src");
  const auto output = dir / "build_info.cc";
  const auto result =
      testing::RunCommand({LOKAHI_CMAKE_COMMAND, "-DSOURCE_DIR=" + (dir / "src").string(),
                           "-DTEMPLATE=" LOKAHI_BUILD_INFO_TEMPLATE, "-DOUTPUT=" + output.string(),
                           "-DLOKAHI_VERSION=9.8.7", "-P", LOKAHI_WRITE_BUILD_INFO},
                          {{"PATH", "/usr/bin:/bin"}, {"SOURCE_DATE_EPOCH", "1796536800"}});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  std::stringstream text;
  text << std::ifstream(output).rdbuf();
  std::filesystem::remove_all(dir);
  EXPECT_NE(text.str().find(R"({"9.8.7", "unknown", "2026-12-06"})"), std::string::npos)
      << text.str();
}

#ifdef LOKAHI_MAN_PAGES
// help2man turned each binary's --help and --version into a man page at build time.
TEST(ManPages, GeneratedForLokahictlAndTheDaemons) {
  const auto read = [](const std::string& page) {
    std::stringstream text;
    text << std::ifstream(std::string(LOKAHI_BINARY_DIR) + "/man/" + page).rdbuf();
    return text.str();
  };
  const std::string lokahictl = read("lokahictl.1");
  EXPECT_NE(lokahictl.find(".TH LOKAHICTL \"1\""), std::string::npos) << lokahictl;
  EXPECT_NE(lokahictl.find("completion"), std::string::npos) << lokahictl;
  EXPECT_NE(lokahictl.find("page\\-token"), std::string::npos) << "every command's flags";
  EXPECT_NE(lokahictl.find(std::string(Build().version)), std::string::npos) << lokahictl;
  for (const char* page : {"lokahid.8", "healthworker.8", "webhookworker.8", "sample_hook.8",
                           "discord_hook.8", "slack_hook.8", "duke-of-york.8"}) {
    const std::string text = read(page);
    EXPECT_NE(text.find(".SH DESCRIPTION"), std::string::npos) << page << "\n" << text;
    EXPECT_NE(text.find("environment variables"), std::string::npos) << page << "\n" << text;
  }
}
#endif

TEST(Version, AnswerCommandLineStartsTheDaemonWithoutArguments) {
  const char* argv[] = {"lokahid"};
  std::ostringstream out, err;
  EXPECT_FALSE(AnswerCommandLine(1, argv, "lokahid", "help", out, err));
  EXPECT_TRUE(out.str().empty());
  EXPECT_TRUE(err.str().empty());
}

}  // namespace
}  // namespace lokahi::version
