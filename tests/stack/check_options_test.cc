// Check options through the real stack (lokahid, a healthworker, Postgres, nats-server) against
// an HTTP target that records what it received: the probe asks as the check says, and a header
// value goes out only to the target, never back through the API.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <mutex>
#include <thread>

#include "lokahi.grpc.pb.h"
#include "tests/support/daemon.h"
#include "tests/support/lokahid_under_test.h"
#include "tests/support/ports.h"
#include "tests/support/shared_services.h"

namespace lokahi {
namespace {

namespace pb = github::xe::lokahi;
using namespace std::chrono_literals;
using testing::Services;
using testing::WaitFor;

constexpr char kToken[] = "Bearer tok-7f3a9c0e51";
constexpr char kChecks[] = "/twirp/github.xe.lokahi.Checks/";

// Answers every method on /probe and remembers each request.
class RecordingTarget {
 public:
  struct Received {
    std::string method, authorization, body;
  };
  RecordingTarget() : port_(testing::FreePort()) {
    const auto record = [this](const httplib::Request& request, httplib::Response& response) {
      {
        std::lock_guard lock(mutex_);
        received_.push_back(
            {request.method, request.get_header_value("Authorization"), request.body});
      }
      response.set_content("{\"status\":\"ok\"}", "application/json");
    };
    server_.Get("/probe", record);
    server_.Post("/probe", record);
    server_.Put("/probe", record);
    thread_ = std::thread([this] { server_.listen("127.0.0.1", port_); });
    WaitFor([this] { return server_.is_running(); }, 5s);
  }
  ~RecordingTarget() {
    server_.stop();
    thread_.join();
  }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/probe"; }
  // Whether a request with `method` has arrived (since the last Clear).
  bool Saw(const std::string& method, Received* out = nullptr) {
    std::lock_guard lock(mutex_);
    for (const auto& r : received_) {
      if (r.method != method) continue;
      if (out) *out = r;
      return true;
    }
    return false;
  }

 private:
  int port_;
  httplib::Server server_;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<Received> received_;
};

class CheckOptionsTest : public ::testing::Test {
 protected:
  CheckOptionsTest()
      : lokahid_(std::map<std::string, std::string>{{"LOKAHI_MIN_EVERY", "1"}}),
        healthworker_(testing::StartDaemon("healthworker/healthworker",
                                           {{"DATABASE_URL", lokahid_.database_url()},
                                            {"NATS_URL", Services().nats.Url()},
                                            {"LOKAHI_BATCH_MAX_DELAY_MS", "50"}})),
        stub_(pb::Checks::NewStub(lokahid_.channel())) {}

  pb::CreateOpts PostCheck() {
    pb::CreateOpts opts;
    opts.set_url(target_.Url());
    opts.set_webhook_url("http://127.0.0.1:9/hook");
    opts.set_every(1);
    opts.set_timeout_ms(2000);
    opts.set_method("POST");
    opts.set_body("{\"ping\":1}");
    auto* header = opts.add_headers();
    header->set_name("Authorization");
    header->set_value(kToken);
    return opts;
  }

  RecordingTarget target_;
  testing::LokahidUnderTest lokahid_;
  std::unique_ptr<testing::ChildProcess> healthworker_;
  std::unique_ptr<pb::Checks::Stub> stub_;
};

TEST_F(CheckOptionsTest, ProbesAskAsTheCheckSaysAndTheHeaderValueNeverComesBack) {
  pb::Check created;
  const auto status = stub_->Create(testing::CallContext().get(), PostCheck(), &created);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(created.headers_size(), 1);
  EXPECT_EQ(created.headers(0).value(), "");
  EXPECT_NE(created.headers(0).value_fingerprint(), "");

  RecordingTarget::Received got;
  ASSERT_TRUE(WaitFor([&] { return target_.Saw("POST", &got); }, 15s))
      << "no POST reached the target\n"
      << healthworker_->Log();
  EXPECT_EQ(got.authorization, kToken);
  EXPECT_EQ(got.body, "{\"ping\":1}");

  // Get and List, in protobuf and JSON: the token appears in neither.
  pb::CheckID id;
  id.set_id(created.id());
  pb::Check fetched;
  ASSERT_TRUE(stub_->Get(testing::CallContext().get(), id, &fetched).ok());
  EXPECT_EQ(fetched.SerializeAsString().find("tok-7f3a9c0e51"), std::string::npos);
  pb::ListOpts list;
  pb::ChecksPage page;
  for (const char* encoding : {testing::kJson, testing::kProtobuf}) {
    const auto get = lokahid_.Twirp(std::string(kChecks) + "Get", id, encoding, &fetched);
    EXPECT_EQ(get.status, 200);
    EXPECT_EQ(get.body.find("tok-7f3a9c0e51"), std::string::npos) << get.body;
    const auto listed = lokahid_.Twirp(std::string(kChecks) + "List", list, encoding, &page);
    EXPECT_EQ(listed.status, 200);
    EXPECT_EQ(listed.body.find("tok-7f3a9c0e51"), std::string::npos) << listed.body;
  }

  // Put what Get returned with another method: the stored header value is kept and sent.
  fetched.set_method("PUT");
  fetched.mutable_update_mask()->add_paths("method");
  fetched.mutable_update_mask()->add_paths("headers");
  pb::Check put;
  const auto put_status = stub_->Put(testing::CallContext().get(), fetched, &put);
  ASSERT_TRUE(put_status.ok()) << put_status.error_message();
  ASSERT_TRUE(WaitFor([&] { return target_.Saw("PUT", &got); }, 15s));
  EXPECT_EQ(got.authorization, kToken);
  EXPECT_EQ(got.body, "{\"ping\":1}");

  EXPECT_EQ(lokahid_.process().Log().find("tok-7f3a9c0e51"), std::string::npos);
  EXPECT_EQ(healthworker_->Log().find("tok-7f3a9c0e51"), std::string::npos);
}

TEST_F(CheckOptionsTest, AnUnknownMethodIsRefusedByName) {
  auto opts = PostCheck();
  opts.set_method("FETCH");
  pb::Check created;
  const auto status = stub_->Create(testing::CallContext().get(), opts, &created);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(),
            "method must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, got \"FETCH\"");
}

}  // namespace
}  // namespace lokahi
