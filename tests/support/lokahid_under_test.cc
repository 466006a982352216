#include "tests/support/lokahid_under_test.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <csignal>

#include "tests/support/daemon.h"
#include "tests/support/ports.h"
#include "tests/support/shared_services.h"

namespace lokahi::testing {

LokahidUnderTest::LokahidUnderTest(std::map<std::string, std::string> extra_env,
                                   std::string database_url)
    : database_url_(database_url.empty() ? Services().postgres.NewDatabase()
                                         : std::move(database_url)),
      port_(FreePort()) {
  env_ = {{"DATABASE_URL", database_url_},
          {"NATS_URL", Services().nats.Url()},
          {"PORT", std::to_string(port_)}};
  for (auto& [name, value] : extra_env) env_[name] = value;
  Start();
}

void LokahidUnderTest::Start() {
  process_ = StartDaemon("lokahid/lokahid", env_, port_);
  channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(port_),
                                 grpc::InsecureChannelCredentials());
}

void LokahidUnderTest::Restart() {
  process_->Stop(SIGTERM);
  process_.reset();
  Start();
}

std::string LokahidUnderTest::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

HttpAnswer LokahidUnderTest::Twirp(const std::string& path,
                                   const google::protobuf::Message& request,
                                   const std::string& encoding,
                                   google::protobuf::Message* response,
                                   std::optional<auth::Credentials> credentials) {
  std::string body;
  if (encoding == kJson) {
    EXPECT_TRUE(google::protobuf::util::MessageToJsonString(request, &body).ok());
  } else {
    request.SerializeToString(&body);
  }
  std::vector<std::string> headers = {"Content-Type: " + encoding};
  if (credentials) {
    headers.push_back("Authorization: " + auth::BasicAuthorizationHeader(*credentials));
  }
  auto answer = http_.Send("POST", Url(path), body, headers);
  if (answer.status == 200) {
    EXPECT_EQ(answer.Header("content-type"), encoding);
    const bool decoded =
        encoding == kJson
            ? google::protobuf::util::JsonStringToMessage(answer.body, response).ok()
            : response->ParseFromString(answer.body);
    EXPECT_TRUE(decoded) << path << ": " << answer.body.substr(0, 200);
  }
  return answer;
}

std::unique_ptr<grpc::ClientContext> CallContext(std::optional<auth::Credentials> credentials,
                                                 std::chrono::seconds deadline) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + deadline);
  if (credentials) {
    context->AddMetadata("authorization", auth::BasicAuthorizationHeader(*credentials));
  }
  return context;
}

std::pair<std::string, std::string> TwirpError(const std::string& body) {
  google::protobuf::Struct error;
  if (!google::protobuf::util::JsonStringToMessage(body, &error).ok()) return {"<not json>", body};
  const auto& fields = error.fields();
  return {fields.count("code") ? fields.at("code").string_value() : "",
          fields.count("msg") ? fields.at("msg").string_value() : ""};
}

}  // namespace lokahi::testing
