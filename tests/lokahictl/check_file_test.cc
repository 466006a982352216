// The checks file and the plan, without a server: what each mistake reads like, how ${VAR}
// expands, what a plan holds, and what export writes.

#include "lokahictl/check_file.h"

#include <gtest/gtest.h>

#include "lib/auth/secret_fingerprint.h"
#include "lokahictl/apply_plan.h"

namespace lokahi::lokahictl {
namespace {

namespace pb = github::xe::lokahi;

EnvLookup Env(std::map<std::string, std::string> values) {
  return [values](const std::string& name) -> std::optional<std::string> {
    const auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

std::string ErrorOf(const std::string& text, const EnvLookup& env = Env({})) {
  try {
    ParseCheckFile(text, "checks.yaml", env);
  } catch (const CheckFileError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(CheckFileTest, ReadsProtoFieldNamesWithDefaultsLeftOut) {
  const auto checks = ParseCheckFile(
      "checks:\n"
      "  - url: https://api.example.com/health\n"
      "    webhook_url: https://hooks.example.com/x\n"
      "    every: 30\n"
      "    webhook_format: json\n"
      "    notify_failure_kind_change: false\n",
      "checks.yaml", Env({}));
  ASSERT_EQ(checks.size(), 1u);
  EXPECT_EQ(checks[0].key, "https://api.example.com/health");
  EXPECT_FALSE(checks[0].keyed_by_name);
  EXPECT_EQ(checks[0].options.every(), 30);
  EXPECT_EQ(checks[0].options.webhook_format(), pb::WEBHOOK_FORMAT_JSON);
  EXPECT_TRUE(checks[0].options.has_notify_failure_kind_change());
  EXPECT_FALSE(checks[0].options.notify_failure_kind_change());
  EXPECT_EQ(checks[0].options.timeout_ms(), 0);  // the default
  EXPECT_EQ(CanonicalValue(checks[0].options, "timeout_ms"), "10000");
}

TEST(CheckFileTest, ErrorsNameFileEntryAndFieldAndEveryProblemIsListed) {
  const std::string message = ErrorOf(
      "checks:\n"
      "  - url: http://a.example/\n"
      "    webhook_url: http://hooks.example/\n"
      "    every: 5\n"
      "  - url: http://b.example/\n"
      "    every: often\n"
      "    webhook_format: xml\n"
      "  - webhook_url: http://c.example/\n"
      "  - url: http://a.example/\n"
      "  - url: http://d.example/\n"
      "    state: UP\n");
  EXPECT_NE(message.find("checks.yaml: checks[0] (url \"http://a.example/\"): every must be "
                         "between 10 and 86400 seconds, got 5"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("checks.yaml: checks[1] (url \"http://b.example/\"): every must be a "
                         "whole number, got \"often\""),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("checks[1] (url \"http://b.example/\"): webhook_format must be one of "
                         "protobuf, json, got \"xml\""),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("checks.yaml: checks[2]: url is required"), std::string::npos) << message;
  EXPECT_NE(message.find("checks.yaml: checks[4] (url \"http://d.example/\"): state is set by "
                         "the server, not by a checks file"),
            std::string::npos)
      << message;
}

TEST(CheckFileTest, TheSameUrlTwiceIsRefused) {
  EXPECT_NE(ErrorOf("checks:\n  - url: http://a.example/\n    webhook_url: http://h.example/\n"
                    "  - url: http://a.example/\n    webhook_url: http://h.example/\n")
                .find("checks[1] (url \"http://a.example/\"): the same url as checks[0]"),
            std::string::npos);
}

TEST(CheckFileTest, SyntaxErrorsGiveLineAndColumn) {
  EXPECT_EQ(ErrorOf("checks:\n  - url: [unclosed\n").rfind("checks.yaml:3:", 0), 0u)
      << ErrorOf("checks:\n  - url: [unclosed\n");
  EXPECT_EQ(ErrorOf("probes: []\n"),
            "checks.yaml: the top level must be a map with a `checks:` list");
}

TEST(CheckFileTest, ExpandsVariablesAndKeepsEscapedDollars) {
  const auto checks = ParseCheckFile(
      "checks:\n  - url: http://${HOST}/x?q=$${literal}\n    webhook_url: ${HOOK}\n", "checks.yaml",
      Env({{"HOST", "api.example.com"}, {"HOOK", "http://hooks.example/"}}));
  EXPECT_EQ(checks[0].options.url(), "http://api.example.com/x?q=${literal}");
  EXPECT_EQ(checks[0].options.webhook_url(), "http://hooks.example/");
  EXPECT_NE(ErrorOf("checks:\n  - url: http://${HOST}/\n")
                .find("checks[0] (url \"http://${HOST}/\"): url: ${HOST} is not set in the "
                      "environment"),
            std::string::npos);
}

TEST(CheckFileTest, AnUnsetSecretVariableKeepsTheServersSecretButCannotCreate) {
  const auto checks = ParseCheckFile(
      "checks:\n  - url: http://a.example/\n    webhook_url: http://hooks.example/\n"
      "    webhook_secret: ${A_SECRET}\n",
      "checks.yaml", Env({}));
  ASSERT_EQ(checks[0].unset_secrets.size(), 1u);
  EXPECT_EQ(checks[0].unset_secrets.at("webhook_secret"), "A_SECRET");
  try {
    MakePlan(checks, {}, false, Selector::Parse(""));
    FAIL() << "a create without its secret";
  } catch (const CheckFileError& e) {
    EXPECT_NE(std::string(e.what()).find("${A_SECRET} is not set in the environment (needed to "
                                         "create the check)"),
              std::string::npos)
        << e.what();
  }
  pb::Check current;
  current.set_id("6f1c2a9e-0d1b-4c51-9a3e-2b7d8f0c1a22");
  current.set_url("http://a.example/");
  current.set_webhook_url("http://hooks.example/");
  current.set_every(60);
  current.set_timeout_ms(10000);
  current.set_failure_threshold(1);
  current.set_recovery_threshold(1);
  current.set_notify_failure_kind_change(true);
  current.set_webhook_secret_fingerprint(auth::SecretFingerprint("whsec_x"));
  EXPECT_TRUE(MakePlan(checks, {current}, false, Selector::Parse("")).empty());
}

pb::Check Current(const std::string& id, const std::string& url, int every) {
  pb::Check check;
  check.set_id(id);
  check.set_url(url);
  check.set_webhook_url("http://hooks.example/");
  check.set_every(every);
  check.set_timeout_ms(10000);
  check.set_failure_threshold(1);
  check.set_recovery_threshold(1);
  check.set_notify_failure_kind_change(true);
  return check;
}

TEST(ApplyPlanTest, CreatesUpdatesFieldByFieldAndPrunesOnlyWhenAsked) {
  const auto desired = ParseCheckFile(
      "checks:\n"
      "  - url: http://new.example/\n    webhook_url: http://hooks.example/\n    every: 30\n"
      "  - url: http://changed.example/\n    webhook_url: http://hooks.example/\n    every: 120\n"
      "  - url: http://same.example/\n    webhook_url: http://hooks.example/\n",
      "checks.yaml", Env({}));
  const std::vector<pb::Check> current = {Current("id-1", "http://changed.example/", 60),
                                          Current("id-2", "http://same.example/", 60),
                                          Current("id-3", "http://gone.example/", 60)};
  const Plan kept = MakePlan(desired, current, false, Selector::Parse(""));
  EXPECT_EQ(FormatPlan(kept),
            "+ create url \"http://new.example/\"\n"
            "    url: http://new.example/\n"
            "    webhook_url: http://hooks.example/\n"
            "    every: 30\n"
            "~ update url \"http://changed.example/\" (id id-1)\n"
            "    every: 60 -> 120\n"
            "Plan: 1 to create, 1 to update, 0 to delete, 1 unchanged.\n");
  const Plan pruned = MakePlan(desired, current, true, Selector::Parse(""));
  EXPECT_NE(FormatPlan(pruned).find("- delete url \"http://gone.example/\" (id id-3)\n"),
            std::string::npos)
      << FormatPlan(pruned);
  const pb::Check put = UpdateRequest(kept.steps[1]);
  EXPECT_EQ(put.id(), "id-1");
  EXPECT_EQ(put.every(), 120);
  ASSERT_EQ(put.update_mask().paths_size(), 1);
  EXPECT_EQ(put.update_mask().paths(0), "every");
}

TEST(ApplyPlanTest, TwoServerChecksOnAnEntrysUrlAreAmbiguous) {
  const auto desired = ParseCheckFile(
      "checks:\n  - url: http://twice.example/\n    webhook_url: http://h.example/\n",
      "checks.yaml", Env({}));
  try {
    MakePlan(desired,
             {Current("id-1", "http://twice.example/", 60),
              Current("id-2", "http://twice.example/", 60)},
             false, Selector::Parse(""));
    FAIL();
  } catch (const CheckFileError& e) {
    EXPECT_NE(std::string(e.what()).find("2 checks on the server have this url"), std::string::npos)
        << e.what();
  }
}

TEST(ExportTest, WritesWhatDiffersFromTheDefaultsSortedWithSecretsAsPlaceholders) {
  pb::Check b = Current("id-b", "http://b.example/", 60);
  pb::Check a = Current("id-a", "https://a.example/health", 30);
  a.set_webhook_secret_fingerprint(auth::SecretFingerprint("whsec_x"));
  a.set_has_webhook_secret(true);
  a.set_state(pb::Check::DOWN);
  EXPECT_EQ(ExportCheckFile({b, a}),
            "checks:\n"
            "  - url: http://b.example/\n"
            "    webhook_url: http://hooks.example/\n"
            "  - url: https://a.example/health\n"
            "    webhook_url: http://hooks.example/\n"
            "    every: 30\n"
            "    webhook_secret: ${WEBHOOK_SECRET_A_EXAMPLE_HEALTH}\n");
  EXPECT_EQ(SecretVariable("webhook_secret", "api"), "WEBHOOK_SECRET_API");
}

}  // namespace
}  // namespace lokahi::lokahictl
