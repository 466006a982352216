// HTTPS probes against a TLS server using a certificate generated for the test.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <filesystem>

#include "lib/probe/curl_multi_prober.h"
#include "tests/lib/probe/probe_test_support.h"
#include "tests/lib/probe/self_signed_certificate.h"
#include "tests/lib/probe/server_thread.h"
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

  TlsProbeTest() : server_(CertificatePath().c_str(), KeyPath().c_str()), served_(server_) {
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

TEST_F(TlsProbeTest, HttpRedirectingToHttpsReportsTheCertificateExpiry) {
  httplib::Server plain;
  const std::string secure_url = served_.Url("/", "https");
  plain.Get("/", [&](const httplib::Request&, httplib::Response& response) {
    response.set_redirect(secure_url, 301);
  });
  ServerThread plain_served(plain);
  ProberOptions options;
  options.ca_bundle_path = CertificatePath();
  const ProbeResult result = ProbeOnce(options, plain_served.Url("/"));
  ASSERT_EQ(result.error, "");
  EXPECT_EQ(result.status_code, 200);
  ASSERT_TRUE(result.tls_cert_expires_at.has_value()) << "the https hop's certificate";
  const auto expected = std::chrono::system_clock::now() + std::chrono::days(kCertificateDays);
  EXPECT_GT(*result.tls_cert_expires_at, expected - 1h);
  EXPECT_LT(*result.tls_cert_expires_at, expected + 1h);
}

TEST_F(TlsProbeTest, PlainHttpHasNoCertificate) {
  httplib::Server plain;
  plain.Get("/", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("plain", "text/plain");
  });
  ServerThread plain_served(plain);
  const ProbeResult result = ProbeOnce(ProberOptions{}, plain_served.Url("/"));
  EXPECT_EQ(result.status_code, 200);
  EXPECT_FALSE(result.tls_cert_expires_at.has_value());
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

namespace lokahi::probe {
namespace {

// Counts how often a file is opened, through inotify, while the object lives.
class OpenCounter {
 public:
  explicit OpenCounter(const std::string& path) : fd_(inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {
    // Closes are watched too: inotify merges an event into an identical one still unread, so
    // open, open, open would count once, while open, close, open, close counts twice.
    if (fd_ < 0 || inotify_add_watch(fd_, path.c_str(), IN_OPEN | IN_CLOSE_NOWRITE) < 0) {
      throw std::runtime_error("inotify cannot watch " + path);
    }
  }
  ~OpenCounter() { close(fd_); }
  int Opens() {
    alignas(inotify_event) char buffer[4096];
    ssize_t got;
    while ((got = read(fd_, buffer, sizeof buffer)) > 0) {
      for (char* at = buffer; at < buffer + got;) {
        const auto* event = reinterpret_cast<const inotify_event*>(at);
        if (event->mask & IN_OPEN) ++opens_;
        at += sizeof(inotify_event) + event->len;
      }
    }
    return opens_;
  }

 private:
  int fd_;
  int opens_ = 0;
};

TEST_F(TlsProbeTest, CaBundleIsParsedOnceNotPerHandshake) {
  ProberOptions options;
  options.ca_bundle_path = CertificatePath();
  options.max_in_flight = 1;
  OpenCounter bundle_reads(CertificatePath());
  testing::ResultCollector collector;
  CurlMultiProber prober(options, collector.Handler());
  prober.Submit({{1, served_.Url("/", "https"), 5000},
                 {2, served_.Url("/", "https"), 5000},
                 {3, served_.Url("/", "https"), 5000}});
  const std::vector<ProbeResult> results = collector.WaitFor(3, 15s);
  ASSERT_EQ(results.size(), 3u);
  for (const ProbeResult& result : results) EXPECT_EQ(result.status_code, 200) << result.error;
  EXPECT_EQ(bundle_reads.Opens(), 1);
}

}  // namespace
}  // namespace lokahi::probe
