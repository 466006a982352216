// `lokahictl alert ...` against a real lokahid: exit codes a shell one-liner relies on, the
// --source disambiguation, and what each action prints.

#include <gtest/gtest.h>

#include "tests/support/child_process.h"
#include "tests/support/daemon.h"
#include "tests/support/lokahid_under_test.h"

namespace lokahi::lokahictl {
namespace {

class AlertCliTest : public ::testing::Test {
 protected:
  testing::CommandResult Ctl(std::vector<std::string> args) {
    std::vector<std::string> argv = {testing::BinaryPath("lokahictl/lokahictl"), "--server",
                                     server_};
    argv.insert(argv.end(), args.begin(), args.end());
    return testing::RunCommand(argv, {{"HOME", "/nonexistent"}}, std::chrono::seconds(60));
  }

  testing::LokahidUnderTest lokahid_{{{"USERPASS", "AzureDiamond:hunter2"}}};
  std::string server_ = "http://AzureDiamond:hunter2@127.0.0.1:" + std::to_string(lokahid_.port());
};

TEST_F(AlertCliTest, SendListGetAckClear) {
  auto sent = Ctl({"alert", "send", "--id", "http-example", "--raise", "+5m", "--subject",
                   "site check", "--detail", "ok"});
  ASSERT_EQ(sent.exit_code, 0) << sent.output;
  EXPECT_NE(sent.output.find("\"state\": \"PENDING\""), std::string::npos) << sent.output;
  EXPECT_NE(sent.output.find("\"source\": \"127.0.0.1\""), std::string::npos) << sent.output;

  auto listed = Ctl({"alert", "list", "--state", "pending", "-o", "table"});
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_NE(listed.output.find("http-example"), std::string::npos);
  EXPECT_NE(listed.output.find("PENDING"), std::string::npos);
  EXPECT_EQ(Ctl({"alert", "list", "--state", "raised"}).output.find("http-example"),
            std::string::npos);

  ASSERT_EQ(Ctl({"alert", "send", "--id", "http-example", "--raise", "now"}).exit_code, 0);
  ASSERT_EQ(Ctl({"alert", "raise", "http-example"}).exit_code, 0);
  auto acked = Ctl({"alert", "ack", "http-example", "--for", "2h", "--note", "looking"});
  ASSERT_EQ(acked.exit_code, 0) << acked.output;
  EXPECT_NE(acked.output.find("\"state\": \"ACKNOWLEDGED\""), std::string::npos) << acked.output;
  EXPECT_NE(acked.output.find("\"acknowledged_by\": \"AzureDiamond\""), std::string::npos);
  auto got = Ctl({"alert", "get", "http-example", "-o", "table"});
  EXPECT_NE(got.output.find("looking"), std::string::npos) << got.output;
  auto cleared = Ctl({"alert", "clear", "http-example"});
  ASSERT_EQ(cleared.exit_code, 0);
  EXPECT_NE(cleared.output.find("\"state\": \"CLEARED\""), std::string::npos);
}

TEST_F(AlertCliTest, DeliveriesListAnAlertsNotificationsWithTheirOutcome) {
  ASSERT_EQ(Ctl({"alert", "send", "--id", "backup", "--raise", "now", "--webhook-url",
                 "http://127.0.0.1:9/hook"})
                .exit_code,
            0);
  std::string table;
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        table = Ctl({"alert", "deliveries", "backup", "-o", "table"}).output;
        return table.find("RAISED") != std::string::npos;
      },
      std::chrono::seconds(10)))
      << table;
  EXPECT_NE(table.find("WEBHOOK ID"), std::string::npos) << table;
  EXPECT_NE(table.find("nt_"), std::string::npos) << table;
  EXPECT_NE(table.find("pending"), std::string::npos) << table;
  auto missing = Ctl({"alert", "deliveries", "nope"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.output.find("NOT_FOUND"), std::string::npos) << missing.output;
}

TEST_F(AlertCliTest, AnAmbiguousIdAsksForSource) {
  ASSERT_EQ(Ctl({"alert", "send", "--id", "disk", "--raise", "+1h", "--source", "db1"}).exit_code,
            0);
  ASSERT_EQ(Ctl({"alert", "send", "--id", "disk", "--raise", "+1h", "--source", "db2"}).exit_code,
            0);
  auto ambiguous = Ctl({"alert", "get", "disk"});
  EXPECT_EQ(ambiguous.exit_code, 1);
  EXPECT_NE(ambiguous.output.find("\"db1\", \"db2\""), std::string::npos) << ambiguous.output;
  EXPECT_NE(ambiguous.output.find("--source SRC"), std::string::npos) << ambiguous.output;
  auto picked = Ctl({"alert", "get", "disk", "--source", "db2"});
  EXPECT_EQ(picked.exit_code, 0);
  EXPECT_NE(picked.output.find("\"source\": \"db2\""), std::string::npos);
}

TEST_F(AlertCliTest, MistakesExitNonZeroAndStoreNothing) {
  // A bad raise is refused before anything is sent.
  auto bad = Ctl({"alert", "send", "--id", "x", "--raise", "soon"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.output.find("--raise must be now, clear"), std::string::npos) << bad.output;
  EXPECT_EQ(Ctl({"alert", "send", "--raise", "now"}).exit_code, 2);
  EXPECT_EQ(Ctl({"alert", "list", "--raise", "now"}).exit_code, 2);
  // The server refuses what only it can judge: exit 1.
  auto too_long = Ctl({"alert", "send", "--id", std::string(201, 'x'), "--raise", "now"});
  EXPECT_EQ(too_long.exit_code, 1);
  EXPECT_NE(too_long.output.find("INVALID_ARGUMENT"), std::string::npos) << too_long.output;
  EXPECT_NE(Ctl({"alert", "get", "x"}).output.find("NOT_FOUND"), std::string::npos);
  // Unreachable server: not stored, so not 0.
  server_ = "http://127.0.0.1:1";
  EXPECT_EQ(Ctl({"alert", "send", "--id", "x", "--raise", "now"}).exit_code, 1);
}

}  // namespace
}  // namespace lokahi::lokahictl
