// HTTPS probes against a TLS server using a certificate generated for the test.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "lib/probe/curl_multi_prober.h"
#include "tests/lib/probe/probe_test_support.h"
#include "tests/lib/probe/server_thread.h"
#include "tests/lib/probe/self_signed_certificate.h"
#include "tests/support/child_process.h"

namespace lokahi::probe {
namespace {

using testing::ProbeOnce;
using testing::ServerThread;
using namespace std::chrono_literals;

constexpr int kCertificateDays = 30;

class TlsProbeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    directory_ = new std::string(lokahi::testing::MakeTempDir("probe-tls"));
    testing::WriteSelfSignedCertificate(CertificatePath(), KeyPath(), kCertificateDays);
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*directory_);
    delete directory_;
  }

  static std::string CertificatePath() { return *directory_ + "/cert.pem"; }
  static std::string KeyPath() { return *directory_ + "/key.pem"; }

  TlsProbeTest()
      : server_(CertificatePath().c_str(), KeyPath().c_str()), served_(server_) {
    server_.Get("/", [](const httplib::Request&, httplib::Response& response) {
      response.set_content("secure", "text/plain");
    });
  }

  static std::string* directory_;
  httplib::SSLServer server_;
  ServerThread served_;
};

std::string* TlsProbeTest::directory_ = nullptr;

TEST_F(TlsProbeTest, SelfSignedCertificateIsATlsError) {
  const ProbeResult result = ProbeOnce(ProberOptions{}, served_.Url("/", "https"));
  EXPECT_EQ(result.status_code, 0);
  EXPECT_THAT(result.error, ::testing::StartsWith("TLS certificate verify failed: "));
  EXPECT_THAT(result.error, ::testing::HasSubstr("self-signed"));
  EXPECT_FALSE(result.tls_cert_expires_at.has_value());
}

TEST_F(TlsProbeTest, TrustedCertificateReportsTimingsAndExpiry) {
  ProberOptions options;
  options.ca_bundle_path = CertificatePath();
  const ProbeResult result = ProbeOnce(options, served_.Url("/", "https"));
  ASSERT_EQ(result.error, "");
  EXPECT_EQ(result.status_code, 200);
  EXPECT_GT(result.tls_ns, 0);
  EXPECT_GT(result.connect_ns, 0);
  EXPECT_GT(result.first_byte_ns, 0);
  ASSERT_TRUE(result.tls_cert_expires_at.has_value());
  const auto expected = std::chrono::system_clock::now() + std::chrono::days(kCertificateDays);
  EXPECT_LT(*result.tls_cert_expires_at, expected + 1h);
  EXPECT_GT(*result.tls_cert_expires_at, expected - 1h);
}

TEST_F(TlsProbeTest, EveryProbeDoesAFullHandshake) {
  ProberOptions options;
  options.ca_bundle_path = CertificatePath();
  options.max_in_flight = 1;
  testing::ResultCollector collector;
  CurlMultiProber prober(options, collector.Handler());
  prober.Submit({{1, served_.Url("/", "https"), 5000}, {2, served_.Url("/", "https"), 5000}});
  const std::vector<ProbeResult> results = collector.WaitFor(2, 15s);
  ASSERT_EQ(results.size(), 2u);
  for (const ProbeResult& result : results) {
    EXPECT_EQ(result.status_code, 200) << result.error;
    EXPECT_GT(result.tls_ns, 0);
    EXPECT_TRUE(result.tls_cert_expires_at.has_value());
  }
  EXPECT_EQ(SSL_CTX_sess_hits(server_.ssl_context()), 0);  // no TLS session was resumed
}

}  // namespace
}  // namespace lokahi::probe
