#include "lib/labels/label_selector.h"

#include <gtest/gtest.h>

namespace lokahi::labels {
namespace {

Selector Parse(std::string_view text) {
  std::string error;
  auto selector = ParseSelector(text, &error);
  EXPECT_TRUE(selector) << text << ": " << error;
  return selector.value_or(Selector{});
}

std::string ErrorOf(std::string_view text) {
  std::string error;
  EXPECT_FALSE(ParseSelector(text, &error)) << text;
  return error;
}

TEST(LabelSelector, ParsesEachKindOfRequirement) {
  const auto selector = Parse(" team=payments, env!=dev,tier==1, canary ,!legacy");
  using Op = Requirement::Op;
  ASSERT_EQ(selector.requirements.size(), 5u);
  EXPECT_EQ(selector.requirements[0], (Requirement{"team", Op::kEquals, "payments"}));
  EXPECT_EQ(selector.requirements[1], (Requirement{"env", Op::kNotEquals, "dev"}));
  EXPECT_EQ(selector.requirements[2], (Requirement{"tier", Op::kEquals, "1"}));
  EXPECT_EQ(selector.requirements[3], (Requirement{"canary", Op::kExists, ""}));
  EXPECT_EQ(selector.requirements[4], (Requirement{"legacy", Op::kNotExists, ""}));
  EXPECT_EQ(selector.ToString(), "team=payments,env!=dev,tier=1,canary,!legacy");
}

TEST(LabelSelector, EmptyTextSelectsEverything) {
  EXPECT_TRUE(Parse("").empty());
  EXPECT_TRUE(Parse("  ").Matches({{"a", "b"}}));
}

TEST(LabelSelector, MatchesLikeKubernetes) {
  const auto selector = Parse("team=payments,env!=dev");
  EXPECT_TRUE(selector.Matches({{"team", "payments"}, {"env", "prod"}}));
  EXPECT_TRUE(selector.Matches({{"team", "payments"}}));  // != holds when the key is absent
  EXPECT_FALSE(selector.Matches({{"team", "payments"}, {"env", "dev"}}));
  EXPECT_FALSE(selector.Matches({{"team", "search"}}));
  EXPECT_FALSE(selector.Matches({}));
  EXPECT_TRUE(Parse("canary").Matches({{"canary", ""}}));
  EXPECT_FALSE(Parse("!canary").Matches({{"canary", ""}}));
  EXPECT_TRUE(Parse("team=").Matches({{"team", ""}}));
  EXPECT_FALSE(Parse("team=").Matches({}));
}

TEST(LabelSelector, RefusesWhatLabelsCannotHoldNamingThePart) {
  EXPECT_NE(ErrorOf("team=pay ments").find("\"team=pay ments\": a value is"), std::string::npos);
  EXPECT_NE(ErrorOf("te am=x").find("a key is 1-63 characters"), std::string::npos);
  EXPECT_NE(ErrorOf("team=payments,,env=dev").find("empty requirement"), std::string::npos);
  EXPECT_NE(ErrorOf("team=payments,").find("empty requirement"), std::string::npos);
  EXPECT_NE(ErrorOf("=x").find("a key is"), std::string::npos);
  EXPECT_NE(ErrorOf("a=b=c").find("a value is"), std::string::npos);
  EXPECT_NE(ErrorOf(std::string(64, 'k') + "=v").find("a key is"), std::string::npos);
  EXPECT_NE(ErrorOf("k=" + std::string(64, 'v')).find("a value is"), std::string::npos);
  EXPECT_NE(ErrorOf("k=\"x\"").find("a value is"), std::string::npos);
  std::string many;
  for (int i = 0; i < 33; ++i) many += (i ? ",k" : "k") + std::to_string(i);
  EXPECT_NE(ErrorOf(many).find("at most 32 requirements"), std::string::npos);
  const std::string huge(5000, 'a');
  const std::string error = ErrorOf(huge);
  EXPECT_NE(error.find("at most 4096 bytes"), std::string::npos);
  EXPECT_LT(error.size(), 200u);
}

TEST(LabelSelector, JsonFormForSql) {
  EXPECT_EQ(
      Parse("team=payments,!legacy").ToJson(),
      R"([{"key":"team","op":"=","value":"payments"},{"key":"legacy","op":"!exists","value":""}])");
  EXPECT_EQ(Parse("").ToJson(), "[]");
  EXPECT_EQ(Parse("team=payments,env!=dev,tier=1").EqualsJson(),
            R"({"team":"payments","tier":"1"})");
  EXPECT_EQ(Parse("!legacy").EqualsJson(), "");
}

}  // namespace
}  // namespace lokahi::labels
