// lokahictl as a user runs it, against a stand-in Checks server in this process: how errors read,
// what -o prints, and which addresses it refuses before sending credentials anywhere.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <mutex>

#include "lokahi.grpc.pb.h"
#include "tests/support/daemon.h"
#include "tests/support/ports.h"

namespace lokahi {
namespace {

namespace pb = github::xe::lokahi;

class StandInChecks final : public pb::Checks::Service {
 public:
  grpc::Status Get(grpc::ServerContext*, const pb::CheckID*, pb::Check*) override {
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "answer too large");
  }
  grpc::Status Delete(grpc::ServerContext*, const pb::CheckID*, pb::Check*) override {
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "check is busy");
  }
  grpc::Status List(grpc::ServerContext*, const pb::ListOpts*, pb::ChecksPage* page) override {
    auto* check = page->add_results()->mutable_check();
    check->set_id("6f1c2a9e-0d1b-4c51-9a3e-2b7d8f0c1a22");
    check->set_url("http://duke.internal:9001/");
    check->set_every(60);
    check->set_state(pb::Check::DOWN);
    check->mutable_state_changed_at()->set_seconds(time(nullptr) - 190);
    page->set_total(1);
    return grpc::Status::OK;
  }
};

class LokahictlBinaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    port_ = testing::FreePort();
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:" + std::to_string(port_),
                             grpc::InsecureServerCredentials());
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_TRUE(server_);
  }
  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  testing::CommandResult Ctl(std::vector<std::string> args) {
    std::vector<std::string> argv = {testing::BinaryPath("lokahictl/lokahictl"), "--server",
                                     "http://127.0.0.1:" + std::to_string(port_)};
    argv.insert(argv.end(), args.begin(), args.end());
    return testing::RunCommand(argv, {{"HOME", "/nonexistent"}}, std::chrono::seconds(30));
  }

  int port_ = 0;
  StandInChecks service_;
  std::unique_ptr<grpc::Server> server_;
};

// Issue 13 defect 9: "lokahictl: code 8: …".
TEST_F(LokahictlBinaryTest, ErrorsNameTheStatus) {
  const auto got = Ctl({"get", "6f1c2a9e-0d1b-4c51-9a3e-2b7d8f0c1a22"});
  EXPECT_EQ(got.exit_code, 1);
  EXPECT_NE(got.output.find("lokahictl: RESOURCE_EXHAUSTED: answer too large"), std::string::npos)
      << got.output;
  EXPECT_EQ(got.output.find("code 8"), std::string::npos) << got.output;
  const auto deleted = Ctl({"delete", "6f1c2a9e-0d1b-4c51-9a3e-2b7d8f0c1a22"});
  EXPECT_NE(deleted.output.find("lokahictl: FAILED_PRECONDITION: check is busy"), std::string::npos)
      << deleted.output;
}

TEST_F(LokahictlBinaryTest, PipedOutputIsJsonAndDashOForcesAFormat) {
  const auto piped = Ctl({"list"});
  ASSERT_EQ(piped.exit_code, 0) << piped.output;
  EXPECT_EQ(piped.output.rfind("{\n", 0), 0u) << piped.output;
  EXPECT_NE(piped.output.find("\"state\": \"DOWN\""), std::string::npos) << piped.output;

  const auto table = Ctl({"list", "-o", "table"});
  ASSERT_EQ(table.exit_code, 0) << table.output;
  EXPECT_EQ(table.output.rfind("ID                                     STATE", 0), 0u)
      << table.output;
  EXPECT_NE(table.output.find("DOWN for 3m"), std::string::npos) << table.output;
  EXPECT_EQ(table.output.find('\x1b'), std::string::npos) << "no colours into a pipe";

  const auto yaml = Ctl({"-o", "yaml", "list"});
  ASSERT_EQ(yaml.exit_code, 0) << yaml.output;
  EXPECT_EQ(yaml.output.rfind("results:\n", 0), 0u) << yaml.output;

  const auto bad = Ctl({"list", "-o", "xml"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.output.find("-o must be json, yaml, table or wide, got \"xml\""), std::string::npos)
      << bad.output;
}

// Issue 13 defect 10: port 99999 wrapped to 34463 and the credentials went there.
TEST_F(LokahictlBinaryTest, ServerPortOutsideTheRangeIsRefused) {
  const auto wrapped = testing::RunCommand({testing::BinaryPath("lokahictl/lokahictl"), "--server",
                                            "http://AzureDiamond:hunter2@127.0.0.1:99999", "list"},
                                           {{"HOME", "/nonexistent"}}, std::chrono::seconds(30));
  EXPECT_EQ(wrapped.exit_code, 2);
  EXPECT_NE(wrapped.output.find("server port must be one number between 1 and 65535"),
            std::string::npos)
      << wrapped.output;
  EXPECT_EQ(wrapped.output.find("hunter2"), std::string::npos) << wrapped.output;
}

TEST_F(LokahictlBinaryTest, EveryOutOfRangeSaysTheRange) {
  const auto created = Ctl({"create", "--url", "http://h/", "--every", "99999999999"});
  EXPECT_EQ(created.exit_code, 2);
  EXPECT_NE(created.output.find("--every must be between 0 and 86400 seconds, got 99999999999"),
            std::string::npos)
      << created.output;
}

TEST_F(LokahictlBinaryTest, EveryCommandHasHelp) {
  for (const char* command : {"create", "create_load", "delete", "deliveries", "get", "list", "put",
                              "run", "runstats", "status", "completion"}) {
    const auto help = Ctl({command, "--help"});
    EXPECT_EQ(help.exit_code, 0) << command;
    EXPECT_NE(help.output.find(std::string("Usage: lokahictl ") + command), std::string::npos)
        << help.output;
  }
}

}  // namespace
}  // namespace lokahi
