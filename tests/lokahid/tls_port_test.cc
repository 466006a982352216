// TLS on lokahid's one port (LOKAHI_TLS_CERT, LOKAHI_TLS_KEY), through a real
// lokahid, Postgres and nats-server, with a certificate made here: gRPC and
// Twirp (JSON and protobuf) over TLS authenticate, lokahictl's https:// form
// works, plaintext clients of either protocol are refused, failed-auth
// throttling sees the real client's address, and bad files stop the start.

#include <curl/curl.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include "lib/auth/basic_auth.h"
#include "lokahi.grpc.pb.h"
#include "tests/lib/probe/self_signed_certificate.h"
#include "tests/support/daemon.h"
#include "tests/support/ports.h"
#include "tests/support/shared_services.h"

namespace lokahi {
namespace {

namespace pb = github::xe::lokahi;
using namespace std::chrono_literals;
using testing::Services;

constexpr char kChecks[] = "/twirp/github.xe.lokahi.Checks/";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct HttpsAnswer {
  long status = 0;
  long http_version = 0;
  std::string body;
};

// One libcurl request; `ca_file` empty = plaintext http://. libcurl offers h2
// and http/1.1 by ALPN over TLS, as curl on the command line, Go's net/http and
// browsers do.
HttpsAnswer Post(const std::string& url, const std::string& body, const std::string& content_type,
                 const std::string& authorization, const std::string& ca_file,
                 const char* source_address = nullptr) {
  CURL* curl = curl_easy_init();
  HttpsAnswer answer;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 20000L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  if (!ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, ca_file.c_str());
  if (source_address) curl_easy_setopt(curl, CURLOPT_INTERFACE, source_address);
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, ("Content-Type: " + content_type).c_str());
  headers = curl_slist_append(headers, "Expect:");
  if (!authorization.empty()) {
    headers = curl_slist_append(headers, ("Authorization: " + authorization).c_str());
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(
      curl, CURLOPT_WRITEFUNCTION, +[](char* data, size_t, size_t n, void* out) {
        static_cast<std::string*>(out)->append(data, n);
        return n;
      });
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer.body);
  const auto code = curl_easy_perform(curl);
  if (code == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer.status);
    curl_easy_getinfo(curl, CURLINFO_HTTP_VERSION, &answer.http_version);
  } else {
    answer.status = -1;
    answer.body = curl_easy_strerror(code);
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return answer;
}

class TlsPortTest : public ::testing::Test {
 protected:
  void SetUp() override {
    database_url_ = Services().postgres.NewDatabase();
    char directory[] = "/tmp/lokahid_tls_XXXXXX";
    ASSERT_NE(mkdtemp(directory), nullptr);
    directory_ = directory;
    certificate_ = directory_ + "/cert.pem";
    key_ = directory_ + "/key.pem";
    // A self-signed certificate for 127.0.0.1 is its own CA: clients trust
    // exactly it.
    probe::testing::WriteSelfSignedCertificate(certificate_, key_, 2);
  }
  void TearDown() override {
    lokahid_.reset();
    std::remove(certificate_.c_str());
    std::remove(key_.c_str());
    std::remove((directory_ + "/other_cert.pem").c_str());
    std::remove((directory_ + "/other_key.pem").c_str());
    rmdir(directory_.c_str());
  }

  std::map<std::string, std::string> Env(std::map<std::string, std::string> extra = {}) {
    std::map<std::string, std::string> env = {
        {"DATABASE_URL", database_url_},   {"NATS_URL", Services().nats.Url()},
        {"PORT", std::to_string(port_)},   {"USERPASS", "AzureDiamond:hunter2"},
        {"LOKAHI_TLS_CERT", certificate_}, {"LOKAHI_TLS_KEY", key_}};
    for (auto& [k, v] : extra) env[k] = v;
    return env;
  }

  void StartLokahid(std::map<std::string, std::string> extra = {}) {
    port_ = testing::FreePort();
    lokahid_ = testing::StartDaemon("lokahid/lokahid", Env(std::move(extra)), port_);
  }

  std::string Target() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string Url(const std::string& scheme, const std::string& path) const {
    return scheme + "://127.0.0.1:" + std::to_string(port_) + path;
  }

  std::unique_ptr<pb::Checks::Stub> TlsStub() {
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = ReadFile(certificate_);
    return pb::Checks::NewStub(grpc::CreateChannel(Target(), grpc::SslCredentials(options)));
  }

  std::unique_ptr<grpc::ClientContext> Context(const auth::Credentials& credentials) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() + 15s);
    context->AddMetadata("authorization", auth::BasicAuthorizationHeader(credentials));
    return context;
  }

  pb::CreateOpts ValidOpts() {
    pb::CreateOpts opts;
    opts.set_url("http://127.0.0.1:9/health");
    opts.set_webhook_url("http://127.0.0.1:9/hook");
    opts.set_every(60);
    return opts;
  }

  const auth::Credentials right_{"AzureDiamond", "hunter2"};
  const auth::Credentials wrong_{"AzureDiamond", "guess"};
  std::string database_url_;
  std::string directory_;
  std::string certificate_;
  std::string key_;
  int port_ = 0;
  std::unique_ptr<testing::ChildProcess> lokahid_;
};

TEST_F(TlsPortTest, GrpcOverTlsWorksAndAuthenticates) {
  StartLokahid();
  auto stub = TlsStub();
  pb::Check created;
  ASSERT_TRUE(stub->Create(Context(right_).get(), ValidOpts(), &created).ok());
  pb::CheckID id;
  id.set_id(created.id());
  pb::Check got;
  const auto status = stub->Get(Context(right_).get(), id, &got);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(got.url(), "http://127.0.0.1:9/health");
  EXPECT_EQ(stub->Get(Context(wrong_).get(), id, &got).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(TlsPortTest, TwirpOverTlsWorksInJsonAndProtobuf) {
  StartLokahid();
  const std::string authorization = auth::BasicAuthorizationHeader(right_);
  // JSON, from a client that offers h2 and http/1.1 as curl does: it gets
  // HTTP/1.1 (Twirp).
  const auto created = Post(Url("https", std::string(kChecks) + "Create"),
                            R"({"url":"http://127.0.0.1:9/a","webhook_url":"http://127.0.0.1:9/h",)"
                            R"("every":60})",
                            "application/json", authorization, certificate_);
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_EQ(created.http_version, CURL_HTTP_VERSION_1_1);
  pb::Check check;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(created.body, &check).ok());
  // Protobuf.
  pb::CheckID id;
  id.set_id(check.id());
  const auto got = Post(Url("https", std::string(kChecks) + "Get"), id.SerializeAsString(),
                        "application/protobuf", authorization, certificate_);
  ASSERT_EQ(got.status, 200) << got.body;
  pb::Check fetched;
  ASSERT_TRUE(fetched.ParseFromString(got.body));
  EXPECT_EQ(fetched.url(), "http://127.0.0.1:9/a");
  // Wrong password over TLS: the same Twirp answer as in the clear.
  const auto refused =
      Post(Url("https", std::string(kChecks) + "Get"), id.SerializeAsString(),
           "application/protobuf", auth::BasicAuthorizationHeader(wrong_), certificate_);
  EXPECT_EQ(refused.status, 401) << refused.body;
  // A client that does not trust the certificate gets no answer.
  const auto untrusting =
      Post(Url("https", std::string(kChecks) + "Get"), id.SerializeAsString(),
           "application/protobuf", authorization, "/etc/ssl/certs/ca-certificates.crt");
  EXPECT_EQ(untrusting.status, -1) << untrusting.body;
}

TEST_F(TlsPortTest, LokahictlHttpsFormWorksGivenTheCa) {
  StartLokahid();
  pb::Check created;
  ASSERT_TRUE(TlsStub()->Create(Context(right_).get(), ValidOpts(), &created).ok());
  const std::map<std::string, std::string> env = {
      {"HOME", "/nonexistent"}, {"GRPC_DEFAULT_SSL_ROOTS_FILE_PATH", certificate_}};
  const auto got =
      testing::RunCommand({testing::BinaryPath("lokahictl/lokahictl"), "--server",
                           "https://AzureDiamond:hunter2@" + Target(), "get", created.id()},
                          env, 30s);
  EXPECT_EQ(got.exit_code, 0) << got.output;
  EXPECT_NE(got.output.find("http://127.0.0.1:9/health"), std::string::npos) << got.output;
  const auto wrong = testing::RunCommand({testing::BinaryPath("lokahictl/lokahictl"), "--server",
                                          "https://AzureDiamond:guess@" + Target(), "list"},
                                         env, 30s);
  EXPECT_NE(wrong.exit_code, 0);
  EXPECT_NE(wrong.output.find("UNAUTHENTICATED"), std::string::npos) << wrong.output;
}

TEST_F(TlsPortTest, PlaintextClientsOfEitherProtocolAreRefused) {
  StartLokahid();
  const std::string authorization = auth::BasicAuthorizationHeader(right_);
  // HTTP/1.1 in the clear, with the right credentials: refused, told to use
  // TLS.
  const auto h1 =
      Post(Url("http", std::string(kChecks) + "List"), "{}", "application/json", authorization, "");
  EXPECT_EQ(h1.status, 400) << h1.body;
  EXPECT_NE(h1.body.find("TLS"), std::string::npos) << h1.body;
  // gRPC (HTTP/2) in the clear: no answer.
  auto stub =
      pb::Checks::NewStub(grpc::CreateChannel(Target(), grpc::InsecureChannelCredentials()));
  pb::ChecksPage page;
  const auto status = stub->List(Context(right_).get(), pb::ListOpts(), &page);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  // TLS still serves.
  EXPECT_TRUE(TlsStub()->List(Context(right_).get(), pb::ListOpts(), &page).ok());
}

TEST_F(TlsPortTest, ThrottleSeesTheRealClientAddressOverTls) {
  StartLokahid({{"LOKAHI_AUTH_MAX_FAILURES", "3"}});
  const std::string url = Url("https", std::string(kChecks) + "List");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(
        Post(url, "{}", "application/json", auth::BasicAuthorizationHeader(wrong_), certificate_)
            .status,
        401);
  }
  EXPECT_EQ(
      Post(url, "{}", "application/json", auth::BasicAuthorizationHeader(right_), certificate_)
          .status,
      429)
      << "127.0.0.1 is throttled";
  pb::ChecksPage page;
  EXPECT_EQ(TlsStub()->List(Context(right_).get(), pb::ListOpts(), &page).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED)
      << "gRPC over TLS from 127.0.0.1 too";
  const auto other = Post(url, "{}", "application/json", auth::BasicAuthorizationHeader(right_),
                          certificate_, "127.0.0.2");
  EXPECT_EQ(other.status, 200) << "127.0.0.2 is another client: " << other.body;
}

TEST_F(TlsPortTest, BadTlsFilesStopTheStartWithAClearMessage) {
  port_ = testing::FreePort();
  const std::string other_certificate = directory_ + "/other_cert.pem";
  const std::string other_key = directory_ + "/other_key.pem";
  probe::testing::WriteSelfSignedCertificate(other_certificate, other_key, 2);
  const std::string lokahid = testing::BinaryPath("lokahid/lokahid");
  const auto mismatched = testing::RunCommand({lokahid}, Env({{"LOKAHI_TLS_KEY", other_key}}), 30s);
  EXPECT_EQ(mismatched.exit_code, 2) << mismatched.output;
  EXPECT_NE(mismatched.output.find("LOKAHI_TLS_KEY: " + other_key +
                                   " does not match the certificate in LOKAHI_TLS_CERT"),
            std::string::npos)
      << mismatched.output;
  const auto missing =
      testing::RunCommand({lokahid}, Env({{"LOKAHI_TLS_CERT", directory_ + "/none.pem"}}), 30s);
  EXPECT_EQ(missing.exit_code, 2) << missing.output;
  EXPECT_NE(missing.output.find("LOKAHI_TLS_CERT: cannot read " + directory_ + "/none.pem"),
            std::string::npos)
      << missing.output;
  const auto half = testing::RunCommand({lokahid}, Env({{"LOKAHI_TLS_KEY", ""}}), 30s);
  EXPECT_EQ(half.exit_code, 2) << half.output;
  EXPECT_NE(half.output.find("LOKAHI_TLS_CERT and LOKAHI_TLS_KEY go together"), std::string::npos)
      << half.output;
}

}  // namespace
}  // namespace lokahi
