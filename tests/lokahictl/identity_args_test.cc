// lokahictl --name, --label (repeatable; key= removes on put), pause and resume: the requests
// they send.

#include <gtest/gtest.h>

#include "lokahictl/commands.h"

namespace lokahi::lokahictl {
namespace {

std::vector<std::string> Paths(const github::xe::lokahi::Check& request) {
  return {request.update_mask().paths().begin(), request.update_mask().paths().end()};
}

TEST(IdentityArgs, CreateTakesNameAndRepeatedLabels) {
  const auto request =
      CreateRequest(ParseArgs({"create", "--url", "http://x", "--name", "Payments API", "--label",
                               "team=payments", "--label=env=prod", "--label", "flag="},
                              CommandFlags()));
  EXPECT_EQ(request.name(), "Payments API");
  ASSERT_EQ(request.labels_size(), 3);
  EXPECT_EQ(request.labels().at("team"), "payments");
  EXPECT_EQ(request.labels().at("env"), "prod");
  EXPECT_EQ(request.labels().at("flag"), "") << "on create, key= is an empty value";
}

TEST(IdentityArgs, PutLabelsTouchOnlyTheKeysGivenAndKeyEqualsRemoves) {
  const auto request = PutRequest(
      ParseArgs({"put", "--label", "team=core", "ID", "--label", "env="}, CommandFlags()), "ID");
  EXPECT_EQ(Paths(request), (std::vector<std::string>{"labels.team", "labels.env"}));
  ASSERT_EQ(request.labels_size(), 1);
  EXPECT_EQ(request.labels().at("team"), "core");
  EXPECT_EQ(request.id(), "ID");

  const auto named = PutRequest(ParseArgs({"put", "ID", "--name", ""}, CommandFlags()), "ID");
  EXPECT_EQ(Paths(named), (std::vector<std::string>{"name"}));
}

TEST(IdentityArgs, LabelWithoutEqualsIsAUsageError) {
  try {
    CreateRequest(ParseArgs({"create", "--label", "team"}, CommandFlags()));
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "--label must be key=value (e.g. team=payments), got \"team\"");
  }
}

TEST(IdentityArgs, PauseAndResume) {
  const auto parsed = ParseArgs({"pause", "ID"}, CommandFlags());
  EXPECT_EQ(parsed.command, "pause");
  EXPECT_EQ(parsed.positional, (std::vector<std::string>{"ID"}));
  const auto pause = EnabledRequest("ID", false);
  EXPECT_EQ(Paths(pause), (std::vector<std::string>{"enabled"}));
  ASSERT_TRUE(pause.has_enabled());
  EXPECT_FALSE(pause.enabled());
  EXPECT_TRUE(EnabledRequest("ID", true).enabled());
  EXPECT_EQ(ParseArgs({"resume", "ID"}, CommandFlags()).command, "resume");
}

}  // namespace
}  // namespace lokahi::lokahictl
