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

// Issue 13 defect 10: gRPC reads the port modulo 65536, so 99999 sent the credentials to 34463.
TEST(ServerAddress, RefusesPortsOutside1To65535) {
  for (const char* bad : {"http://AzureDiamond:hunter2@127.0.0.1:99999", "h:0", "h:65536",
                          "h:80x", "h:-1", "http://[::1]:123456"}) {
    try {
      ParseServerAddress(bad);
      ADD_FAILURE() << bad << " accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("port must be one number between 1 and 65535"),
                std::string::npos)
          << e.what();
    }
  }
  try {
    ParseServerAddress("http://u:hunter2@127.0.0.1:99999");
    ADD_FAILURE() << "port 99999 accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "server port must be one number between 1 and 65535 (host:port)");
  }
  EXPECT_EQ(ParseServerAddress("h:65535").target, "h:65535");
  EXPECT_EQ(ParseServerAddress("h:1").target, "h:1");
  EXPECT_EQ(ParseServerAddress("http://[::1]:8080").target, "[::1]:8080");
  EXPECT_EQ(ParseServerAddress("http://[::1]").target, "[::1]:24253");
}

// Issue 13 defect 12: the server address is read by libcurl's URL API, as every URL is, so odd
// forms a hand-written split misread are refused, and no message repeats the credentials.
TEST(ServerAddress, RefusesWhatLibcurlRefusesWithoutQuotingCredentials) {
  for (const char* bad : {"http://u:hunter2@127.0.0.1:8080:9090/", "http://u:pa@hunter2@h/",
                          "http://a\\b/", "::1"}) {
    try {
      ParseServerAddress(bad);
      ADD_FAILURE() << bad << " accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).rfind("server ", 0), 0u) << e.what();
    }
  }
  const auto encoded = ParseServerAddress("http://u:p%40ss@h:2");
  EXPECT_EQ(encoded.target, "h:2");
  ASSERT_TRUE(encoded.credentials);
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
  const auto a = ParseArgs(
      {"--server", "http://s:1", "put", "ID", "--every", "120", "--webhook_url=http://h/"},
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

// Issue 13 defect 9: a number too big for the field said "must be a whole number".
TEST(Args, NumbersOutOfRangeSayTheRange) {
  const auto every = ParseArgs({"create", "--every", "99999999999"}, CommandFlags());
  try {
    IntFlag(every, "every", 0);
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "--every must be between 0 and 86400 seconds, got 99999999999");
  }
  const auto count = ParseArgs({"list", "--count", "-3"}, CommandFlags());
  try {
    IntFlag(count, "count", 0);
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "--count must be between 0 and 1000, got -3");
  }
  const auto soon = ParseArgs({"create", "--every", "soon"}, CommandFlags());
  try {
    IntFlag(soon, "every", 0);
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "--every must be a whole number, got \"soon\"");
  }
  const auto huge = ParseArgs({"create", "--every", std::string(5000, '9')}, CommandFlags());
  try {
    IntFlag(huge, "every", 0);
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_LT(std::string(e.what()).size(), 200u) << "quotes at most ~100 characters";
    EXPECT_NE(std::string(e.what()).find("…(5000 bytes)"), std::string::npos) << e.what();
  }
  EXPECT_EQ(IntFlag(ParseArgs({"create", "--every", "86400"}, CommandFlags()), "every", 0), 86400);
}

TEST(Args, GlobalFlagsBeforeOrAfterTheCommand) {
  const auto a =
      ParseArgs({"list", "--server", "http://s:1", "-o", "yaml", "--count=5"}, CommandFlags());
  EXPECT_EQ(a.command, "list");
  EXPECT_EQ(a.server, "http://s:1");
  EXPECT_EQ(a.output, "yaml");
  EXPECT_EQ(a.flags.at("count"), "5");
  const auto b = ParseArgs({"--output=wide", "get", "ID"}, CommandFlags());
  EXPECT_EQ(b.output, "wide");
  EXPECT_EQ(b.positional, std::vector<std::string>{"ID"});
  EXPECT_TRUE(ParseArgs({"--version"}, CommandFlags()).version);
  try {
    ParseArgs({"list", "extra"}, CommandFlags());
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "unexpected argument \"extra\" for list (see lokahictl list --help)");
  }
  try {
    ParseArgs({"frobnicate"}, CommandFlags());
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "unknown command \"frobnicate\" (see lokahictl --help)");
  }
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

TEST(Args, NotifyFailureKindChangeIsSentOnlyWhenGiven) {
  const auto quiet = PutRequest(
      ParseArgs({"put", "ID", "--notify-failure-kind-change", "false"}, CommandFlags()), "ID");
  ASSERT_TRUE(quiet.has_notify_failure_kind_change());
  EXPECT_FALSE(quiet.notify_failure_kind_change());
  ASSERT_EQ(quiet.update_mask().paths_size(), 1);
  EXPECT_EQ(quiet.update_mask().paths(0), "notify_failure_kind_change");
  const auto other = PutRequest(ParseArgs({"put", "ID", "--every", "120"}, CommandFlags()), "ID");
  EXPECT_FALSE(other.has_notify_failure_kind_change());
  EXPECT_THROW(ParseArgs({"create", "--notify-failure-kind-change", "maybe"}, CommandFlags()),
               UsageError);
}

TEST(Args, HelpEverywhere) {
  EXPECT_TRUE(ParseArgs({"--help"}, CommandFlags()).help);
  const auto a = ParseArgs({"create", "--help"}, CommandFlags());
  EXPECT_TRUE(a.help);
  EXPECT_NE(CommandUsage("create").find("--webhook-url"), std::string::npos);
  EXPECT_TRUE(ParseArgs({"help", "put"}, CommandFlags()).help);
  EXPECT_EQ(ParseArgs({"help", "put"}, CommandFlags()).command, "put");
  for (const auto& [command, flags] : CommandFlags()) {
    EXPECT_NE(CommandUsage(command).find("lokahictl " + command), std::string::npos);
    EXPECT_NE(Usage().find(command), std::string::npos) << command << " missing from --help";
  }
}

}  // namespace
}  // namespace lokahi::lokahictl
