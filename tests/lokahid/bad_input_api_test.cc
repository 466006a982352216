// What a hostile or careless client can send the Checks API (issue 13), through a real lokahid,
// Postgres and nats-server: each is refused as INVALID_ARGUMENT with a short message naming the
// field, never INTERNAL, never an error-level log line, and large checks never make a List
// answer too large for a client.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "lokahi.grpc.pb.h"
#include "tests/support/daemon.h"
#include "tests/support/ports.h"
#include "tests/support/shared_services.h"

namespace lokahi {
namespace {

namespace pb = github::xe::lokahi;
using testing::Services;

class BadInputApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    port_ = testing::FreePort();
    lokahid_ = testing::StartDaemon("lokahid/lokahid",
                                    {{"DATABASE_URL", Services().postgres.NewDatabase()},
                                     {"NATS_URL", Services().nats.Url()},
                                     {"PORT", std::to_string(port_)}},
                                    port_);
    stub_ = pb::Checks::NewStub(grpc::CreateChannel("127.0.0.1:" + std::to_string(port_),
                                                    grpc::InsecureChannelCredentials()));
  }

  static std::unique_ptr<grpc::ClientContext> Context() {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    return context;
  }

  static pb::CreateOpts ValidOpts() {
    pb::CreateOpts opts;
    opts.set_url("http://127.0.0.1:9/health");
    opts.set_webhook_url("http://127.0.0.1:9/hook");
    opts.set_every(60);
    return opts;
  }

  grpc::Status Create(const pb::CreateOpts& opts) {
    pb::Check ignored;
    return stub_->Create(Context().get(), opts, &ignored);
  }

  // Lines lokahid logged at error level: a client's mistake must never produce one.
  std::string ErrorLines() const {
    std::string errors;
    const std::string log = lokahid_->Log();
    size_t start = 0;
    while (start < log.size()) {
      size_t end = log.find('\n', start);
      if (end == std::string::npos) end = log.size();
      const std::string line = log.substr(start, end - start);
      if (line.find("level=error") != std::string::npos) errors += line + "\n";
      start = end + 1;
    }
    return errors;
  }

  int port_ = 0;
  std::unique_ptr<testing::ChildProcess> lokahid_;
  std::unique_ptr<pb::Checks::Stub> stub_;
};

// Defect 12: each passed Create, then every probe of it failed inside libcurl.
TEST_F(BadInputApiTest, UrlsLibcurlCannotFetchAreRefusedAtCreate) {
  for (const char* url :
       {"http://127.0.0.1:8080:9090/", "http://user:pa@ss@127.0.0.1/", "http://a\\b/"}) {
    auto opts = ValidOpts();
    opts.set_url(url);
    const auto status = Create(opts);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << url;
    EXPECT_TRUE(status.error_message().starts_with("url ")) << status.error_message();
  }
  auto encoded = ValidOpts();
  encoded.set_url("http://user:pa%40ss@127.0.0.1/");
  EXPECT_TRUE(Create(encoded).ok());
}

// Defects 4 and 5: a 1 MB URL was accepted; a 9 KB bad value quoted in full turned the answer
// into RESOURCE_EXHAUSTED (the status no longer fit gRPC's metadata).
TEST_F(BadInputApiTest, OversizedAndBadValuesAreRefusedWithShortMessages) {
  auto huge = ValidOpts();
  huge.set_url("http://127.0.0.1:9/" + std::string(1 << 20, 'a'));
  auto status = Create(huge);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_LT(status.error_message().size(), 400u);

  auto bad = ValidOpts();
  bad.set_webhook_url("gopher://127.0.0.1/" + std::string(9000, 'x'));
  status = Create(bad);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_LT(status.error_message().size(), 400u) << status.error_message();
  EXPECT_NE(status.error_message().find("…(9019 bytes)"), std::string::npos);

  auto secret = ValidOpts();
  secret.set_webhook_secret("whsec_" + std::string(300, 'A'));
  status = Create(secret);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "webhook_secret must be at most 256 bytes, got 306");
  EXPECT_EQ(ErrorLines(), "");
}

// Defect 7: a secret that is not base64 was accepted and every delivery then failed for 24 h.
TEST_F(BadInputApiTest, WebhookSecretThatIsNotBase64IsRefusedOnCreateAndPut) {
  auto opts = ValidOpts();
  opts.set_webhook_secret("whsec_this is not base64, is it? no!!");
  EXPECT_EQ(Create(opts).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  pb::Check created;
  ASSERT_TRUE(stub_->Create(Context().get(), ValidOpts(), &created).ok());
  pb::Check put;
  put.set_id(created.id());
  put.set_webhook_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2La$aSw");
  pb::Check answer;
  const auto status = stub_->Put(Context().get(), put, &answer);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(status.error_message().starts_with("webhook_secret must be \"whsec_\""))
      << status.error_message();
}

// Defect 6: these answered INTERNAL ("interval out of range") and logged at error level.
TEST_F(BadInputApiTest, PageTokensWithExtremeNumbersAreInvalidArgumentAndNotLoggedAsErrors) {
  for (const std::string micros :
       {"9223372036854775807", "-9223372036854775808", "999999999999999999"}) {
    pb::ListOpts opts;
    opts.set_page_token("c1." + micros + ".a5c7179a-0d3a-11e8-b53d-8faa88cfa70c");
    pb::ChecksPage page;
    const auto status = stub_->List(Context().get(), opts, &page);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << micros;
  }
  EXPECT_EQ(ErrorLines(), "");
}

// Defect 4: 200 checks with 8 KB URLs made a 4.9 MB List answer, over the 4 MB a gRPC client
// takes by default, so listing failed for every user.
TEST_F(BadInputApiTest, ListOfLargeChecksFitsTheClientAndItsTokensWalkEveryCheck) {
  auto large = ValidOpts();
  large.set_url("http://127.0.0.1:9/" + std::string(8000, 'u'));
  large.set_webhook_url("http://127.0.0.1:9/" + std::string(8000, 'w'));
  large.set_playbook_url("http://127.0.0.1:9/" + std::string(8000, 'p'));
  constexpr int kChecks = 200;
  std::set<std::string> created;
  for (int i = 0; i < kChecks; ++i) {
    pb::Check check;
    ASSERT_TRUE(stub_->Create(Context().get(), large, &check).ok());
    created.insert(check.id());
  }
  std::set<std::string> listed;
  std::string token;
  int pages = 0;
  for (; pages < 50; ++pages) {
    pb::ListOpts opts;
    opts.set_count(1000);
    opts.set_page_token(token);
    pb::ChecksPage page;
    const auto status = stub_->List(Context().get(), opts, &page);
    ASSERT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
    EXPECT_LE(page.ByteSizeLong(), 1100u * 1024);
    for (const auto& result : page.results()) listed.insert(result.check().id());
    token = page.next_page_token();
    if (token.empty()) break;
  }
  EXPECT_GT(pages, 1);
  EXPECT_EQ(listed, created);
}

}  // namespace
}  // namespace lokahi
