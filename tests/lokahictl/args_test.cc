#include <gtest/gtest.h>

#include "lokahictl/cli_args.h"
#include "lokahictl/commands.h"
#include "lokahictl/server_address.h"

namespace lokahi::lokahictl {
namespace {

TEST(ServerAddress, AcceptsLokahisUrlForm) {
  const auto a = ParseServerAddress("http://AzureDiamond:hunter2@127.0.0.1:24253");
  EXPECT_EQ(a.target, "127.0.0.1:24253");
  ASSERT_TRUE(a.credentials);
  EXPECT_EQ(a.credentials->user, "AzureDiamond");
  EXPECT_EQ(a.credentials->password, "hunter2");
  EXPECT_EQ(ParseServerAddress("lokahid.internal").target, "lokahid.internal:24253");
  EXPECT_FALSE(ParseServerAddress("http://h:1").credentials);
  EXPECT_THROW(ParseServerAddress("ftp://h:1"), std::invalid_argument);
  EXPECT_FALSE(ParseServerAddress("http://h:1").tls);
  EXPECT_FALSE(ParseServerAddress("h:1").tls);
}

TEST(ServerAddress, HttpsMeansTls) {
  const auto a = ParseServerAddress("https://AzureDiamond:hunter2@lokahi.example.com");
  EXPECT_TRUE(a.tls);
  EXPECT_EQ(a.target, "lokahi.example.com:443");
  ASSERT_TRUE(a.credentials);
  EXPECT_EQ(a.credentials->password, "hunter2");
  EXPECT_EQ(ParseServerAddress("https://h:8443").target, "h:8443");
}

TEST(ServerAddress, ResolutionOrder) {
  const std::string hcl = "# comment\nserver = \"http://from-file:1\"\n";
  EXPECT_EQ(ResolveServer("http://flag:1", "http://env:1", hcl), "http://flag:1");
  EXPECT_EQ(ResolveServer(std::nullopt, "http://env:1", hcl), "http://env:1");
  EXPECT_EQ(ResolveServer(std::nullopt, std::nullopt, hcl), "http://from-file:1");
  EXPECT_EQ(ResolveServer(std::nullopt, std::nullopt, std::nullopt), "http://127.0.0.1:24253");
  EXPECT_EQ(ResolveServer(std::nullopt, std::nullopt, std::string("other = 1\n")),
            "http://127.0.0.1:24253");
}

TEST(Args, ParsesCommandFlagsAndPositionals) {
  const auto a = ParseArgs({"--server", "http://s:1", "put", "ID", "--every", "120",
                            "--webhook_url=http://h/"},
                           CommandFlags());
  EXPECT_EQ(a.server, "http://s:1");
  EXPECT_EQ(a.command, "put");
  EXPECT_EQ(a.positional, std::vector<std::string>{"ID"});
  EXPECT_EQ(a.flags.at("every"), "120");
  EXPECT_EQ(a.flags.at("webhook-url"), "http://h/");
  EXPECT_EQ(IntFlag(a, "every", 0), 120);
}

TEST(Args, ErrorsSayWhatIsWrong) {
  EXPECT_THROW(ParseArgs({"frobnicate"}, CommandFlags()), UsageError);
  try {
    ParseArgs({"get", "--every", "3"}, CommandFlags());
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "unknown flag --every for get (see lokahictl get --help)");
  }
  const auto a = ParseArgs({"create", "--every", "soon"}, CommandFlags());
  EXPECT_THROW(IntFlag(a, "every", 0), UsageError);
  EXPECT_THROW(ParseArgs({"create", "--url"}, CommandFlags()), UsageError);
}

TEST(Args, PutMasksExactlyTheFlagsGivenSoEmptyValuesClear) {
  const auto a = ParseArgs({"put", "ID", "--webhook-secret=", "--playbook-url", "",
                            "--expected-status", "0", "--webhook-format", "protobuf"},
                           CommandFlags());
  const auto request = PutRequest(a, "ID");
  EXPECT_EQ(request.id(), "ID");
  EXPECT_EQ(std::vector<std::string>(request.update_mask().paths().begin(),
                                     request.update_mask().paths().end()),
            (std::vector<std::string>{"playbook_url", "expected_status", "webhook_format",
                                      "webhook_secret"}));
  EXPECT_EQ(request.playbook_url(), "");
  EXPECT_EQ(request.expected_status(), 0);
  EXPECT_EQ(request.webhook_secret(), "");

  const auto every = PutRequest(ParseArgs({"put", "ID", "--every", "120"}, CommandFlags()), "ID");
  ASSERT_EQ(every.update_mask().paths_size(), 1);
  EXPECT_EQ(every.update_mask().paths(0), "every");
  EXPECT_EQ(every.every(), 120);
}

TEST(Args, HelpEverywhere) {
  EXPECT_TRUE(ParseArgs({"--help"}, CommandFlags()).help);
  const auto a = ParseArgs({"create", "--help"}, CommandFlags());
  EXPECT_TRUE(a.help);
  EXPECT_NE(CommandUsage("create").find("--webhook-url"), std::string::npos);
  for (const auto& [command, flags] : CommandFlags()) {
    EXPECT_NE(CommandUsage(command).find("lokahictl " + command), std::string::npos);
    EXPECT_NE(Usage().find(command), std::string::npos) << command << " missing from --help";
  }
}

}  // namespace
}  // namespace lokahi::lokahictl
