// The completion scripts lokahictl prints: valid shell, and they complete what the app defines.

#include "lokahictl/completion.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "lokahictl/cli_args.h"
#include "lokahictl/commands.h"
#include "tests/support/daemon.h"

namespace lokahi::lokahictl {
namespace {

class CompletionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("lokahictl_completion_" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    const auto path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }

  // What bash completes for `words`, the last one being the word under the cursor.
  std::string BashCompletes(const std::string& script, const std::string& words) {
    const std::string driver = Write("driver.sh", "source " + script + "\nCOMP_WORDS=(" + words +
                                                      ")\nCOMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n"
                                                      "_lokahictl\necho \"${COMPREPLY[*]}\"\n");
    const auto result = testing::RunCommand({"/bin/bash", "--norc", driver});
    EXPECT_EQ(result.exit_code, 0) << result.output;
    return result.output;
  }

  CommandLine command_line_{CommandFlags()};
  std::filesystem::path dir_;
};

TEST_F(CompletionTest, BashScriptIsValidAndCompletesCommandsFlagsAndValues) {
  const std::string script = Write("lokahictl.bash", BashCompletion(command_line_.app()));
  const auto syntax = testing::RunCommand({"/bin/bash", "-n", script});
  ASSERT_EQ(syntax.exit_code, 0) << syntax.output;

  const std::string commands = BashCompletes(script, "lokahictl ''");
  for (const auto& [command, spec] : CommandFlags()) {
    EXPECT_NE(commands.find(command), std::string::npos) << command << " not offered";
  }
  EXPECT_EQ(BashCompletes(script, "lokahictl li"), "list\n");
  EXPECT_EQ(BashCompletes(script, "lokahictl --server http://h:1 list --pa"), "--page-token\n");
  EXPECT_EQ(BashCompletes(script, "lokahictl put ID --webhook-format ''"), "protobuf json\n");
  EXPECT_EQ(BashCompletes(script, "lokahictl list -o ''"), "json yaml table wide\n");
  EXPECT_EQ(BashCompletes(script, "lokahictl completion ''").rfind("bash zsh ", 0), 0u);
  EXPECT_EQ(BashCompletes(script, "lokahictl get --ev"), "\n") << "get has no --every";
}

TEST_F(CompletionTest, ZshScriptIsValidAndNamesEveryCommand) {
  const std::string text = ZshCompletion(command_line_.app());
  EXPECT_EQ(text.rfind("#compdef lokahictl\n", 0), 0u);
  for (const auto& [command, spec] : CommandFlags()) {
    EXPECT_NE(text.find("'" + command + ":"), std::string::npos) << command;
    EXPECT_NE(text.find("        " + command + ") _arguments"), std::string::npos) << command;
  }
  EXPECT_NE(text.find("'--webhook-format[protobuf (default, lokahi'\\''s) or json]"
                      ":protobuf|json:(protobuf json)'"),
            std::string::npos)
      << text;
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/zsh")) << "zsh is in scripts/install-deps";
  const auto syntax = testing::RunCommand({"/usr/bin/zsh", "-n", Write("_lokahictl", text)});
  EXPECT_EQ(syntax.exit_code, 0) << syntax.output;
}

}  // namespace
}  // namespace lokahi::lokahictl
