// The Maintenance API through a real lokahid, over gRPC and Twirp alike: one implementation, the
// same answers and the same errors, behind the same credentials.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "lokahi.grpc.pb.h"
#include "maintenance.grpc.pb.h"
#include "tests/support/lokahid_under_test.h"

namespace lokahi {
namespace {

namespace pb = github::xe::lokahi;
using testing::CallContext;
using testing::kJson;
using testing::kProtobuf;

const auth::Credentials kAdmin{"AzureDiamond", "hunter2"};
constexpr char kPath[] = "/twirp/github.xe.lokahi.Maintenance/";

class MaintenanceTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lokahid_ = std::make_unique<testing::LokahidUnderTest>(
        std::map<std::string, std::string>{{"USERPASS", "AzureDiamond:hunter2"}});
    checks_ = pb::Checks::NewStub(lokahid_->channel());
    maintenance_ = pb::Maintenance::NewStub(lokahid_->channel());
  }

  std::string CreateCheck() {
    pb::CreateOpts opts;
    opts.set_url("http://127.0.0.1:9/");
    opts.set_webhook_url("http://127.0.0.1:9/hook");
    pb::Check check;
    EXPECT_TRUE(checks_->Create(CallContext(kAdmin).get(), opts, &check).ok());
    return check.id();
  }

  std::unique_ptr<testing::LokahidUnderTest> lokahid_;
  std::unique_ptr<pb::Checks::Stub> checks_;
  std::unique_ptr<pb::Maintenance::Stub> maintenance_;
};

TEST_F(MaintenanceTransportTest, CreateListDeleteOverGrpcAndTwirp) {
  const auto id = CreateCheck();
  pb::MaintenanceWindow request, by_grpc, by_twirp;
  request.add_check_ids(id);
  request.set_duration_seconds(1800);
  ASSERT_TRUE(maintenance_->Create(CallContext(kAdmin).get(), request, &by_grpc).ok());
  EXPECT_TRUE(by_grpc.active());
  EXPECT_EQ(by_grpc.next_end().seconds() - by_grpc.next_start().seconds(), 1800);

  pb::MaintenanceWindow weekly;
  weekly.set_selector("team=payments");
  weekly.mutable_weekly()->set_weekday("Sun");
  weekly.mutable_weekly()->set_from("02:00");
  weekly.mutable_weekly()->set_to("04:00");
  weekly.mutable_weekly()->set_time_zone("Europe/Paris");
  auto answer = lokahid_->Twirp(std::string(kPath) + "Create", weekly, kJson, &by_twirp, kAdmin);
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_NE(answer.body.find("\"time_zone\":\"Europe/Paris\""), std::string::npos) << answer.body;
  EXPECT_TRUE(by_twirp.has_next_start());

  pb::MaintenanceWindows listed;
  answer = lokahid_->Twirp(std::string(kPath) + "List", pb::MaintenanceListOpts(), kProtobuf,
                           &listed, kAdmin);
  ASSERT_EQ(answer.status, 200);
  ASSERT_EQ(listed.windows_size(), 2);
  EXPECT_EQ(listed.windows(0).id(), by_grpc.id());
  EXPECT_EQ(listed.windows(1).weekly().weekday(), "Sun");

  pb::MaintenanceWindowID which;
  which.set_id(by_grpc.id());
  pb::MaintenanceWindow deleted;
  ASSERT_TRUE(maintenance_->Delete(CallContext(kAdmin).get(), which, &deleted).ok());
  EXPECT_EQ(deleted.id(), by_grpc.id());
  grpc::Status again = maintenance_->Delete(CallContext(kAdmin).get(), which, &deleted);
  EXPECT_EQ(again.error_code(), grpc::StatusCode::NOT_FOUND);
  answer = lokahid_->Twirp(std::string(kPath) + "Delete", which, kJson, &deleted, kAdmin);
  EXPECT_EQ(answer.status, 404);
  EXPECT_EQ(testing::TwirpError(answer.body).first, "not_found");
}

TEST_F(MaintenanceTransportTest, MistakesAndMissingCredentialsAnswerAlikeOnBothTransports) {
  pb::MaintenanceWindow bad;
  bad.set_selector("team=pay ments");
  bad.set_duration_seconds(60);
  pb::MaintenanceWindow out;
  const auto status = maintenance_->Create(CallContext(kAdmin).get(), bad, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  auto answer = lokahid_->Twirp(std::string(kPath) + "Create", bad, kJson, &out, kAdmin);
  EXPECT_EQ(answer.status, 400);
  EXPECT_EQ(testing::TwirpError(answer.body).second, status.error_message());

  pb::MaintenanceWindow zone;
  zone.set_selector("team=payments");
  zone.mutable_weekly()->set_weekday("Sun");
  zone.mutable_weekly()->set_from("02:00");
  zone.mutable_weekly()->set_to("04:00");
  zone.mutable_weekly()->set_time_zone("Europe/Atlantis");
  const auto unknown = maintenance_->Create(CallContext(kAdmin).get(), zone, &out);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(unknown.error_message().find("unknown time zone"), std::string::npos);

  pb::MaintenanceWindows listed;
  EXPECT_EQ(maintenance_->List(CallContext().get(), pb::MaintenanceListOpts(), &listed)
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  answer = lokahid_->Twirp(std::string(kPath) + "List", pb::MaintenanceListOpts(), kJson, &listed);
  EXPECT_EQ(answer.status, 401);
}

}  // namespace
}  // namespace lokahi
