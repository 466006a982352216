// `lokahictl apply` and `lokahictl export` against a real lokahid, as an operator keeping checks
// in a file runs them: plans, creates, field-by-field updates, prune, dry runs, idempotence with
// no write at all, errors naming file, entry and field, and secrets as ${VAR} placeholders.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "lib/auth/secret_fingerprint.h"
#include "tests/support/daemon.h"
#include "tests/support/ports.h"
#include "tests/support/shared_services.h"

namespace lokahi {
namespace {

using namespace std::chrono_literals;

constexpr const char* kUserPass = "operator:correct-horse";
constexpr const char* kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr const char* kOtherSecret = "whsec_C2FtcGxlIHNlY3JldCBmb3IgdGVzdHM=";

class ApplyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    port_ = testing::FreePortBelowEphemeral();
    lokahid_ = testing::StartDaemon("lokahid/lokahid",
                                    {{"DATABASE_URL", testing::Services().postgres.NewDatabase()},
                                     {"NATS_URL", testing::Services().nats.Url()},
                                     {"USERPASS", kUserPass},
                                     {"PORT", std::to_string(port_)}},
                                    port_);
    dir_ = testing::MakeTempDir("lokahi-apply");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  testing::CommandResult Lokahictl(std::vector<std::string> args,
                                   std::map<std::string, std::string> env = {}) {
    std::vector<std::string> argv = {testing::BinaryPath("lokahictl/lokahictl"), "--server",
                                     "http://" + std::string(kUserPass) + "@127.0.0.1:" +
                                         std::to_string(port_)};
    argv.insert(argv.end(), args.begin(), args.end());
    return testing::RunCommand(argv, env, 30s);
  }

  // `lokahictl list -o json`, the way a script reads it.
  std::string ListJson() {
    const auto result = Lokahictl({"list", "-o", "json", "--count", "100"});
    EXPECT_EQ(result.exit_code, 0) << result.output;
    return result.output;
  }

  std::string Url(const std::string& path) { return "http://127.0.0.1:9/" + path; }

  int port_ = 0;
  std::unique_ptr<testing::ChildProcess> lokahid_;
  std::string dir_;
};

int Count(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST_F(ApplyTest, CreatesWhatIsNewThenReapplyingChangesNothingAtAll) {
  const std::string file = Write("checks.yaml",
                                 "checks:\n"
                                 "  - url: " + Url("api") + "\n"
                                 "    webhook_url: http://127.0.0.1:9/hook\n"
                                 "    every: 30\n"
                                 "    playbook_url: https://wiki.example.com/api\n"
                                 "  - url: " + Url("web") + "\n"
                                 "    webhook_url: http://127.0.0.1:9/hook\n"
                                 "    failure_threshold: 3\n"
                                 "    webhook_format: json\n");
  const auto first = Lokahictl({"apply", "-f", file});
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("+ create url \"" + Url("api") + "\"\n"), std::string::npos)
      << first.output;
  EXPECT_NE(first.output.find("    every: 30\n"), std::string::npos) << first.output;
  EXPECT_NE(first.output.find("Plan: 2 to create, 0 to update, 0 to delete, 0 unchanged."),
            std::string::npos)
      << first.output;
  const std::string listed = ListJson();
  EXPECT_EQ(Count(listed, "\"url\": \"" + Url("api") + "\""), 1) << listed;
  EXPECT_NE(listed.find("\"failure_threshold\": 3"), std::string::npos) << listed;
  EXPECT_NE(listed.find("\"webhook_format\": \"WEBHOOK_FORMAT_JSON\""), std::string::npos)
      << listed;

  // Again: the same plan is empty, and nothing is written (updated_at stays as it was).
  const auto second = Lokahictl({"apply", "-f", file});
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_EQ(second.output, "Plan: 0 to create, 0 to update, 0 to delete, 2 unchanged.\n");
  EXPECT_EQ(ListJson(), listed);
}

TEST_F(ApplyTest, UpdatesFieldByFieldAndADryRunChangesNothing) {
  const auto created = Lokahictl({"apply", "-f",
                                  Write("v1.yaml", "checks:\n  - url: " + Url("api") +
                                                       "\n    webhook_url: http://127.0.0.1:9/hook"
                                                       "\n    every: 30\n")});
  ASSERT_EQ(created.exit_code, 0) << created.output;
  const std::string v2 = Write("v2.yaml", "checks:\n  - url: " + Url("api") +
                                              "\n    webhook_url: http://127.0.0.1:9/hook"
                                              "\n    every: 120\n    timeout_ms: 5000\n");
  const std::string before = ListJson();
  const auto dry = Lokahictl({"apply", "-f", v2, "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.output;
  EXPECT_NE(dry.output.find("~ update url \"" + Url("api") + "\" (id "), std::string::npos)
      << dry.output;
  EXPECT_NE(dry.output.find("    every: 30 -> 120\n    timeout_ms: 10000 -> 5000\n"),
            std::string::npos)
      << dry.output;
  EXPECT_NE(dry.output.find("Dry run: nothing was changed."), std::string::npos) << dry.output;
  EXPECT_EQ(ListJson(), before);

  const auto applied = Lokahictl({"apply", "-f", v2});
  ASSERT_EQ(applied.exit_code, 0) << applied.output;
  const std::string after = ListJson();
  EXPECT_NE(after.find("\"every\": 120"), std::string::npos) << after;
  EXPECT_NE(after.find("\"timeout_ms\": 5000"), std::string::npos) << after;
  // Leaving an option out means its default again.
  const auto reset = Lokahictl({"apply", "-f",
                                Write("v3.yaml", "checks:\n  - url: " + Url("api") +
                                                     "\n    webhook_url: http://127.0.0.1:9/hook"
                                                     "\n    every: 120\n")});
  EXPECT_NE(reset.output.find("    timeout_ms: 5000 -> 10000\n"), std::string::npos)
      << reset.output;
  EXPECT_NE(ListJson().find("\"timeout_ms\": 10000"), std::string::npos);
}

TEST_F(ApplyTest, PruneDeletesWhatTheFileNoLongerListsAndOnlyWithPrune) {
  ASSERT_EQ(Lokahictl({"apply", "-f",
                       Write("both.yaml", "checks:\n  - url: " + Url("keep") +
                                              "\n    webhook_url: http://127.0.0.1:9/hook\n"
                                              "  - url: " + Url("drop") +
                                              "\n    webhook_url: http://127.0.0.1:9/hook\n")})
                .exit_code,
            0);
  const std::string one = Write("one.yaml", "checks:\n  - url: " + Url("keep") +
                                                "\n    webhook_url: http://127.0.0.1:9/hook\n");
  const auto without = Lokahictl({"apply", "-f", one});
  EXPECT_EQ(without.output, "Plan: 0 to create, 0 to update, 0 to delete, 1 unchanged.\n");
  EXPECT_NE(ListJson().find(Url("drop")), std::string::npos);

  const auto pruned = Lokahictl({"apply", "-f", one, "--prune"});
  ASSERT_EQ(pruned.exit_code, 0) << pruned.output;
  EXPECT_NE(pruned.output.find("- delete url \"" + Url("drop") + "\" (id "), std::string::npos)
      << pruned.output;
  EXPECT_NE(pruned.output.find("Plan: 0 to create, 0 to update, 1 to delete, 1 unchanged."),
            std::string::npos)
      << pruned.output;
  const std::string listed = ListJson();
  EXPECT_EQ(listed.find(Url("drop")), std::string::npos) << listed;
  EXPECT_NE(listed.find(Url("keep")), std::string::npos) << listed;
}

TEST_F(ApplyTest, AFileWithAnInvalidEntryChangesNothingAndSaysWhere) {
  const std::string file = Write("checks.yaml",
                                 "checks:\n"
                                 "  - url: " + Url("fine") + "\n"
                                 "    webhook_url: http://127.0.0.1:9/hook\n"
                                 "  - url: " + Url("api") + "\n"
                                 "    webhook_url: http://127.0.0.1:9/hook\n"
                                 "    every: 5\n"
                                 "  - url: " + Url("typo") + "\n"
                                 "    evry: 60\n");
  const auto result = Lokahictl({"apply", "-f", file});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.output.find(file + ": checks[1] (url \"" + Url("api") +
                               "\"): every must be between 10 and 86400 seconds, got 5"),
            std::string::npos)
      << result.output;
  EXPECT_NE(result.output.find(file + ": checks[2] (url \"" + Url("typo") +
                               "\"): unknown field \"evry\""),
            std::string::npos)
      << result.output;
  EXPECT_NE(result.output.find("nothing was changed"), std::string::npos) << result.output;
  EXPECT_NE(ListJson().find("\"total\": \"0\""), std::string::npos);
}

TEST_F(ApplyTest, SecretsExportAsPlaceholdersAndApplyTellsChangesByFingerprint) {
  const std::string file = Write("checks.yaml", "checks:\n  - url: " + Url("api") +
                                                    "\n    webhook_url: http://127.0.0.1:9/hook"
                                                    "\n    webhook_secret: ${API_HOOK_SECRET}\n");
  // Without the variable, nothing can be created.
  const auto unset = Lokahictl({"apply", "-f", file});
  EXPECT_EQ(unset.exit_code, 1);
  EXPECT_NE(unset.output.find("webhook_secret: ${API_HOOK_SECRET} is not set in the environment"),
            std::string::npos)
      << unset.output;
  const auto created = Lokahictl({"apply", "-f", file}, {{"API_HOOK_SECRET", kSecret}});
  ASSERT_EQ(created.exit_code, 0) << created.output;
  EXPECT_NE(created.output.find("    webhook_secret: (set)\n"), std::string::npos)
      << created.output;
  EXPECT_EQ(created.output.find(kSecret), std::string::npos) << "the plan shows no secret";
  const std::string listed = ListJson();
  EXPECT_NE(listed.find("\"webhook_secret_fingerprint\": \"" + auth::SecretFingerprint(kSecret) +
                        "\""),
            std::string::npos)
      << listed;
  EXPECT_EQ(listed.find(kSecret), std::string::npos);

  // The same secret: no change. Another: a change, without either shown.
  EXPECT_EQ(Lokahictl({"apply", "-f", file}, {{"API_HOOK_SECRET", kSecret}}).output,
            "Plan: 0 to create, 0 to update, 0 to delete, 1 unchanged.\n");
  const auto rotated = Lokahictl({"apply", "-f", file}, {{"API_HOOK_SECRET", kOtherSecret}});
  ASSERT_EQ(rotated.exit_code, 0) << rotated.output;
  EXPECT_NE(rotated.output.find("    webhook_secret: (set) -> (changed)\n"), std::string::npos)
      << rotated.output;
  EXPECT_NE(ListJson().find(auth::SecretFingerprint(kOtherSecret)), std::string::npos);

  // Export writes a placeholder; applying the export is a no-op even without the secret at hand.
  const auto exported = Lokahictl({"export"});
  ASSERT_EQ(exported.exit_code, 0) << exported.output;
  EXPECT_NE(exported.output.find("webhook_secret: ${WEBHOOK_SECRET_127_0_0_1_9_API}"),
            std::string::npos)
      << exported.output;
  EXPECT_EQ(exported.output.find("whsec_"), std::string::npos) << exported.output;
  const auto round_trip = Lokahictl({"apply", "-f", Write("exported.yaml", exported.output)});
  EXPECT_EQ(round_trip.exit_code, 0) << round_trip.output;
  EXPECT_EQ(round_trip.output, "Plan: 0 to create, 0 to update, 0 to delete, 1 unchanged.\n");
}

TEST_F(ApplyTest, ExportThenApplyIsANoOpRoundTrip) {
  ASSERT_EQ(Lokahictl({"apply", "-f",
                       Write("checks.yaml", "checks:\n"
                                            "  - url: " + Url("a") + "\n"
                                            "    webhook_url: http://127.0.0.1:9/hook\n"
                                            "    every: 45\n"
                                            "    expected_status: 204\n"
                                            "    recovery_threshold: 2\n"
                                            "    notify_failure_kind_change: false\n"
                                            "  - url: " + Url("b") + "\n"
                                            "    webhook_url: http://127.0.0.1:9/hook\n")})
                .exit_code,
            0);
  const auto exported = Lokahictl({"export"});
  ASSERT_EQ(exported.exit_code, 0) << exported.output;
  EXPECT_EQ(exported.output,
            "checks:\n"
            "  - url: " + Url("a") + "\n"
            "    webhook_url: http://127.0.0.1:9/hook\n"
            "    every: 45\n"
            "    expected_status: 204\n"
            "    recovery_threshold: 2\n"
            "    notify_failure_kind_change: false\n"
            "  - url: " + Url("b") + "\n"
            "    webhook_url: http://127.0.0.1:9/hook\n");
  const std::string before = ListJson();
  const auto again = Lokahictl({"apply", "-f", Write("exported.yaml", exported.output)});
  EXPECT_EQ(again.output, "Plan: 0 to create, 0 to update, 0 to delete, 2 unchanged.\n");
  EXPECT_EQ(ListJson(), before);
}

}  // namespace
}  // namespace lokahi
