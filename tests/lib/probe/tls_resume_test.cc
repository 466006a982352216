// TLS session resumption (ProberOptions::tls_resume, LOKAHI_TLS_RESUME) against a local TLS server
// that counts full and resumed handshakes (OpenSSL's session statistics, as openssl s_server prints
// them): which probes resume, when a full handshake comes back, that an expired certificate is
// caught on schedule, and that TLS failures read the same with and without it.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>

#include "lib/probe/curl_multi_prober.h"
#include "tests/lib/probe/probe_test_support.h"
#include "tests/lib/probe/self_signed_certificate.h"
#include "tests/lib/probe/server_thread.h"
#include "tests/support/child_process.h"

namespace lokahi::probe {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using Clock = std::chrono::system_clock;

// --- The target: an httplib TLS server whose SSL_CTX counts handshakes. ---

class TlsTarget {
 public:
  TlsTarget(const std::string& prefix)
      : server_((prefix + ".pem").c_str(), (prefix + ".key").c_str()), served_(server_) {
    if (!server_.is_valid()) throw std::runtime_error("TLS server rejected " + prefix);
    server_.Get("/", [](const httplib::Request&, httplib::Response& response) {
      response.set_content("ok", "text/plain");
    });
  }

  std::string Url() const { return served_.Url("/", "https"); }
  // Completed server handshakes, and those that resumed a session.
  long Handshakes() { return SSL_CTX_sess_accept_good(server_.ssl_context()); }
  long Resumed() { return SSL_CTX_sess_hits(server_.ssl_context()); }
  long Full() { return Handshakes() - Resumed(); }

  // The keys that encrypt and decrypt session tickets (name, HMAC and AES keys).
  std::string TicketKeys() {
    std::string keys(80, '\0');
    if (SSL_CTX_get_tlsext_ticket_keys(server_.ssl_context(), keys.data(), keys.size()) != 1) {
      throw std::runtime_error("cannot read the ticket keys");
    }
    return keys;
  }
  void SetTicketKeys(std::string keys) {
    if (SSL_CTX_set_tlsext_ticket_keys(server_.ssl_context(), keys.data(), keys.size()) != 1) {
      throw std::runtime_error("cannot set the ticket keys");
    }
  }

  // Serves PREFIX.pem/.key from the next connection on. The SSL_CTX, and with it the key that
  // encrypts session tickets, stays: sessions made before still resume.
  void ReplaceCertificate(const std::string& prefix) {
    SSL_CTX* context = server_.ssl_context();
    if (SSL_CTX_use_certificate_file(context, (prefix + ".pem").c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_use_PrivateKey_file(context, (prefix + ".key").c_str(), SSL_FILETYPE_PEM) != 1) {
      throw std::runtime_error("cannot load " + prefix);
    }
  }

 private:
  httplib::SSLServer server_;
  testing::ServerThread served_;
};

// One prober kept across probes (resumption state lives in it), probing one URL at a time.
class SequentialProber {
 public:
  explicit SequentialProber(ProberOptions options)
      : prober_(std::move(options), collector_.Handler()) {}

  ProbeResult Probe(const std::string& url, int timeout_ms = 5000) {
    ++count_;
    prober_.Submit({ProbeRequest{count_, url, timeout_ms}});
    const std::vector<ProbeResult> results =
        collector_.WaitFor(count_, std::chrono::milliseconds(timeout_ms) + 10s);
    if (results.size() != count_) throw std::runtime_error("no result within the timeout");
    return results.back();
  }

 private:
  testing::ResultCollector collector_;
  CurlMultiProber prober_;
  uint64_t count_ = 0;
};

class TlsResumeTest : public ::testing::Test {
 protected:
  TlsResumeTest() : directory_(lokahi::testing::MakeTempDir("probe-tls-resume")), ca_("test CA") {
    ca_.WriteCertificate(Path("ca.pem"));
    ca_.IssueLeaf(Path("valid"), "IP:127.0.0.1,DNS:localhost", -60s, 24h * 20);
  }
  ~TlsResumeTest() override { std::filesystem::remove_all(directory_); }

  std::string Path(const std::string& name) const { return directory_ + "/" + name; }

  ProberOptions Options(bool resume, std::chrono::milliseconds full_every) const {
    ProberOptions options;
    options.ca_bundle_path = Path("ca.pem");
    options.max_in_flight = 1;
    options.tls_resume = resume;
    options.tls_full_handshake_every = full_every;
    return options;
  }

  std::string directory_;
  testing::TestCertificateAuthority ca_;
};

TEST_F(TlsResumeTest, FirstProbeIsFullThenResumedThenFullAgainAfterTheInterval) {
  TlsTarget target(Path("valid"));
  constexpr auto kInterval = 3000ms;
  SequentialProber prober(Options(true, kInterval));

  const ProbeResult first = prober.Probe(target.Url());
  const auto first_full_at = Clock::now();  // not before the prober recorded it
  ASSERT_EQ(first.status_code, 200) << first.error;
  ASSERT_TRUE(first.tls_cert_expires_at.has_value());
  EXPECT_EQ(target.Full(), 1);
  EXPECT_EQ(target.Resumed(), 0);

  for (int i = 0; i < 2; ++i) {
    const ProbeResult resumed = prober.Probe(target.Url());
    ASSERT_EQ(resumed.status_code, 200) << resumed.error;
    EXPECT_GT(resumed.tls_ns, 0) << "a TLS handshake, resumed, on a fresh connection";
    EXPECT_EQ(resumed.tls_cert_expires_at, first.tls_cert_expires_at)
        << "expiry of the latest full handshake";
  }
  EXPECT_EQ(target.Full(), 1);
  EXPECT_EQ(target.Resumed(), 2);
  EXPECT_EQ(target.Handshakes(), 3) << "every probe is a new connection";

  // The interval is time passing, not a condition to wait for.
  std::this_thread::sleep_until(first_full_at + kInterval + 100ms);
  const ProbeResult after_interval = prober.Probe(target.Url());
  ASSERT_EQ(after_interval.status_code, 200) << after_interval.error;
  EXPECT_EQ(target.Full(), 2) << "a full handshake once the interval has passed";
  EXPECT_EQ(target.Resumed(), 2);

  const ProbeResult resumed_again = prober.Probe(target.Url());
  ASSERT_EQ(resumed_again.status_code, 200) << resumed_again.error;
  EXPECT_EQ(target.Full(), 2);
  EXPECT_EQ(target.Resumed(), 3) << "resumes the session of the new full handshake";
}

TEST_F(TlsResumeTest, OffByDefaultEveryProbeIsAFullHandshake) {
  TlsTarget target(Path("valid"));
  ProberOptions options;
  options.ca_bundle_path = Path("ca.pem");
  options.max_in_flight = 1;
  SequentialProber prober(options);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(prober.Probe(target.Url()).status_code, 200);
  EXPECT_EQ(target.Full(), 3);
  EXPECT_EQ(target.Resumed(), 0);
}

TEST_F(TlsResumeTest, ExpiredCertificateInstalledMidIntervalIsCaughtWithinTheInterval) {
  TlsTarget target(Path("valid"));
  constexpr auto kInterval = 3000ms;
  SequentialProber prober(Options(true, kInterval));
  ASSERT_EQ(prober.Probe(target.Url()).status_code, 200);
  const auto full_at = Clock::now();
  ASSERT_EQ(prober.Probe(target.Url()).status_code, 200);
  ASSERT_EQ(target.Resumed(), 1);

  ca_.IssueLeaf(Path("expired"), "IP:127.0.0.1,DNS:localhost", -48h, -24h);
  target.ReplaceCertificate(Path("expired"));
  // Until the interval ends, probes resume sessions from before the change: the server never shows
  // them its new certificate. The first full handshake after it fails.
  ProbeResult result;
  const auto give_up = full_at + kInterval + 5s;
  int probes = 0;
  do {
    result = prober.Probe(target.Url());
    ++probes;
    if (result.status_code == 200) std::this_thread::sleep_for(100ms);
  } while (result.status_code == 200 && Clock::now() < give_up);
  const auto caught_at = Clock::now();
  EXPECT_EQ(result.status_code, 0);
  EXPECT_THAT(result.error, StartsWith("TLS certificate verify failed: "));
  EXPECT_THAT(result.error, HasSubstr("certificate has expired"));
  EXPECT_LE(caught_at - full_at, kInterval + 2s) << "after " << probes << " probes";

  // A failed probe ends resumption for the origin: the next probes make full handshakes and fail
  // the same way, instead of resuming a session from before.
  const long resumed_before = target.Resumed();
  for (int i = 0; i < 2; ++i) {
    const ProbeResult again = prober.Probe(target.Url());
    EXPECT_EQ(again.status_code, 0);
    EXPECT_THAT(again.error, HasSubstr("certificate has expired"));
  }
  EXPECT_EQ(target.Resumed(), resumed_before);
}

TEST_F(TlsResumeTest, AFailedProbeEndsResumptionUntilAFullHandshakeSucceeds) {
  TlsTarget target(Path("valid"));
  SequentialProber prober(Options(true, 10min));
  ASSERT_EQ(prober.Probe(target.Url()).status_code, 200);
  ASSERT_EQ(prober.Probe(target.Url()).status_code, 200);
  ASSERT_EQ(target.Resumed(), 1);

  // As behind a load balancer: another server, with an expired certificate and ticket keys of its
  // own, refuses the session, and the full handshake that follows fails.
  const std::string first_keys = target.TicketKeys();
  target.SetTicketKeys(std::string(first_keys.size(), 'x'));
  ca_.IssueLeaf(Path("expired"), "IP:127.0.0.1,DNS:localhost", -48h, -24h);
  target.ReplaceCertificate(Path("expired"));
  const ProbeResult refused = prober.Probe(target.Url());
  EXPECT_EQ(refused.status_code, 0);
  EXPECT_THAT(refused.error, HasSubstr("certificate has expired"));

  // The next probe meets a server that would still accept the old session; it is not offered.
  target.SetTicketKeys(first_keys);
  const ProbeResult next = prober.Probe(target.Url());
  EXPECT_EQ(next.status_code, 0);
  EXPECT_THAT(next.error, HasSubstr("certificate has expired"));
  EXPECT_EQ(target.Resumed(), 1);

  // Once a full handshake succeeds again, probes resume again.
  target.ReplaceCertificate(Path("valid"));
  ASSERT_EQ(prober.Probe(target.Url()).status_code, 200);
  ASSERT_EQ(prober.Probe(target.Url()).status_code, 200);
  EXPECT_EQ(target.Resumed(), 2);
}

TEST_F(TlsResumeTest, CertificatePastItsNotAfterIsNotResumedPast) {
  // Valid for 3 more seconds, with a full handshake due only every 10 minutes.
  ca_.IssueLeaf(Path("short"), "IP:127.0.0.1,DNS:localhost", -60s, 3s);
  const auto not_after = Clock::now() + 3s;
  TlsTarget target(Path("short"));
  SequentialProber prober(Options(true, 10min));
  ASSERT_EQ(prober.Probe(target.Url()).status_code, 200);
  ASSERT_EQ(prober.Probe(target.Url()).status_code, 200);
  ASSERT_EQ(target.Resumed(), 1);

  std::this_thread::sleep_until(not_after + 1100ms);  // notAfter has a resolution of a second
  const ProbeResult expired = prober.Probe(target.Url());
  EXPECT_EQ(expired.status_code, 0);
  EXPECT_THAT(expired.error, HasSubstr("certificate has expired"));
  EXPECT_EQ(target.Resumed(), 1) << "the session was not offered past the certificate's notAfter";
}

// --- TLS failures read the same whether resumption is on or off. ---

class TlsFailureReasonTest : public TlsResumeTest, public ::testing::WithParamInterface<bool> {
 protected:
  // The reason of two consecutive probes (the second could resume, were there a session).
  std::vector<std::string> TwoProbeErrors(const std::string& url, int timeout_ms = 5000) {
    SequentialProber prober(Options(GetParam(), 10min));
    std::vector<std::string> errors;
    for (int i = 0; i < 2; ++i) {
      const ProbeResult result = prober.Probe(url, timeout_ms);
      EXPECT_EQ(result.status_code, 0);
      errors.push_back(result.error);
    }
    return errors;
  }
};

TEST_P(TlsFailureReasonTest, ExpiredCertificate) {
  ca_.IssueLeaf(Path("expired"), "IP:127.0.0.1,DNS:localhost", -48h, -24h);
  TlsTarget target(Path("expired"));
  for (const std::string& error : TwoProbeErrors(target.Url())) {
    EXPECT_THAT(error, StartsWith("TLS certificate verify failed: "));
    EXPECT_THAT(error, HasSubstr("certificate has expired"));
  }
}

TEST_P(TlsFailureReasonTest, UnknownCa) {
  testing::TestCertificateAuthority other("another CA");
  other.IssueLeaf(Path("stranger"), "IP:127.0.0.1,DNS:localhost", -60s, 24h);
  TlsTarget target(Path("stranger"));
  for (const std::string& error : TwoProbeErrors(target.Url())) {
    EXPECT_THAT(error, StartsWith("TLS certificate verify failed: "));
    EXPECT_THAT(error, HasSubstr("unable to get local issuer certificate"));
  }
}

TEST_P(TlsFailureReasonTest, NameMismatch) {
  ca_.IssueLeaf(Path("elsewhere"), "DNS:elsewhere.example", -60s, 24h);
  TlsTarget target(Path("elsewhere"));
  for (const std::string& error : TwoProbeErrors(target.Url())) {
    EXPECT_THAT(error, StartsWith("TLS certificate verify failed: "));
    EXPECT_THAT(error, HasSubstr("127.0.0.1"));
    EXPECT_THAT(error, HasSubstr("match"));
  }
}

TEST_P(TlsFailureReasonTest, HandshakeTimeout) {
  // Accepts the connection and never answers the ClientHello.
  testing::RawServer silent(
      [](int fd, const testing::RawServer& server) { testing::HoldUntilClosed(fd, server); });
  const std::string url = "https://127.0.0.1:" + std::to_string(silent.port()) + "/";
  for (const std::string& error : TwoProbeErrors(url, 300)) {
    EXPECT_THAT(error, HasSubstr("timed out after 300 ms"));
    EXPECT_THAT(error, HasSubstr("TLS handshake"));
  }
}

INSTANTIATE_TEST_SUITE_P(ResumeOnAndOff, TlsFailureReasonTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Resume" : "FullHandshakes";
                         });

}  // namespace
}  // namespace lokahi::probe
