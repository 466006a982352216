// Probes against real HTTP servers on loopback: answers, failures and hostile targets.

#include "lib/probe/curl_multi_prober.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <stdexcept>

#include "tests/lib/probe/probe_test_support.h"
#include "tests/lib/probe/server_thread.h"
#include "tests/support/ports.h"

namespace lokahi::probe {
namespace {

using ::testing::HasSubstr;
using testing::HoldUntilClosed;
using testing::ProbeOnce;
using testing::RawServer;
using testing::ReadRequestHead;
using testing::ServerThread;
using ::testing::StartsWith;
using testing::WriteAll;
using namespace std::chrono_literals;

#if defined(__SANITIZE_THREAD__)
constexpr bool kResidentMemoryIsMeaningful = false;  // TSan's shadow memory grows with threads
#else
constexpr bool kResidentMemoryIsMeaningful = true;
#endif

ProberOptions LoopbackOptions() {
  ProberOptions options;
  options.max_in_flight = 16;
  return options;
}

int64_t ResidentKilobytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
  }
  return -1;
}

class HttpProbeTest : public ::testing::Test {
 protected:
  HttpProbeTest() {
    server_.Get("/ok", [](const httplib::Request&, httplib::Response& response) {
      response.set_content("fine", "text/plain");
    });
    server_.Get("/broken", [](const httplib::Request&, httplib::Response& response) {
      response.status = 500;
      response.set_content("oops", "text/plain");
    });
    server_.Get("/agent", [](const httplib::Request& request, httplib::Response& response) {
      response.status = request.get_header_value("User-Agent") == "probe-test/1" ? 204 : 400;
    });
    server_.Get("/loop", [](const httplib::Request&, httplib::Response& response) {
      response.set_redirect("/loop");
    });
    server_.Get("/hop", [this](const httplib::Request&, httplib::Response& response) {
      response.set_redirect(served_.Url("/ok"));
    });
    server_.Get("/to-file", [](const httplib::Request&, httplib::Response& response) {
      response.set_redirect("file:///etc/passwd");
    });
    server_.Get("/to-gopher", [this](const httplib::Request&, httplib::Response& response) {
      response.set_redirect("gopher://127.0.0.1:" + std::to_string(served_.port()) + "/");
    });
  }

  httplib::Server server_;
  ServerThread served_{server_};
};

TEST_F(HttpProbeTest, ReportsStatusAndPhaseTimings) {
  const ProbeResult ok = ProbeOnce(LoopbackOptions(), served_.Url("/ok"));
  EXPECT_EQ(ok.tag, 1u);
  EXPECT_EQ(ok.status_code, 200);
  EXPECT_EQ(ok.error, "");
  EXPECT_GT(ok.total_ns, 0);
  EXPECT_GT(ok.connect_ns, 0);
  EXPECT_GT(ok.first_byte_ns, 0);
  EXPECT_EQ(ok.tls_ns, 0);
  EXPECT_GE(ok.total_ns, ok.dns_ns + ok.connect_ns + ok.first_byte_ns);
  EXPECT_LT(ok.total_ns, std::chrono::nanoseconds(5s).count());
  EXPECT_EQ(ok.body_bytes, 4);
  EXPECT_FALSE(ok.body_capped);
  EXPECT_FALSE(ok.tls_cert_expires_at.has_value());
  EXPECT_LE(std::chrono::system_clock::now() - ok.started_at, 10s);

  const ProbeResult broken = ProbeOnce(LoopbackOptions(), served_.Url("/broken"));
  EXPECT_EQ(broken.status_code, 500);
  EXPECT_EQ(broken.error, "");  // an HTTP answer: judging the status is the caller's job
  EXPECT_GT(broken.first_byte_ns, 0);
}

TEST_F(HttpProbeTest, SendsTheConfiguredUserAgent) {
  ProberOptions options = LoopbackOptions();
  options.user_agent = "probe-test/1";
  EXPECT_EQ(ProbeOnce(options, served_.Url("/agent")).status_code, 204);
}

TEST_F(HttpProbeTest, FollowsRedirectsUpToTheLimit) {
  EXPECT_EQ(ProbeOnce(LoopbackOptions(), served_.Url("/hop")).status_code, 200);

  const ProbeResult loop = ProbeOnce(LoopbackOptions(), served_.Url("/loop"));
  EXPECT_EQ(loop.status_code, 0);
  EXPECT_EQ(loop.error, "too many redirects (max 5)");

  ProberOptions no_redirects = LoopbackOptions();
  no_redirects.max_redirects = 0;
  EXPECT_EQ(ProbeOnce(no_redirects, served_.Url("/hop")).error, "too many redirects (max 0)");
}

TEST_F(HttpProbeTest, OnlyHttpAndHttpsAreSpokenEvenAfterARedirect) {
  for (const char* path : {"/to-file", "/to-gopher"}) {
    const ProbeResult result = ProbeOnce(LoopbackOptions(), served_.Url(path));
    EXPECT_EQ(result.status_code, 0) << path;
    EXPECT_THAT(result.error, StartsWith("protocol not allowed (http and https only)")) << path;
  }
  EXPECT_THAT(ProbeOnce(LoopbackOptions(), "file:///etc/passwd").error,
              StartsWith("protocol not allowed"));
  EXPECT_THAT(ProbeOnce(LoopbackOptions(), "gopher://127.0.0.1:1/").error,
              StartsWith("protocol not allowed"));
}

TEST_F(HttpProbeTest, ProxyEnvironmentVariablesAreIgnored) {
  const std::string dead_proxy = "http://127.0.0.1:" + std::to_string(lokahi::testing::FreePort());
  setenv("http_proxy", dead_proxy.c_str(), 1);
  setenv("HTTP_PROXY", dead_proxy.c_str(), 1);
  setenv("ALL_PROXY", dead_proxy.c_str(), 1);
  const ProbeResult result = ProbeOnce(LoopbackOptions(), served_.Url("/ok"));
  unsetenv("http_proxy");
  unsetenv("HTTP_PROXY");
  unsetenv("ALL_PROXY");
  EXPECT_EQ(result.status_code, 200) << result.error;
}

TEST(ProbeFailureTest, ConnectionRefused) {
  const int closed_port = lokahi::testing::FreePort();
  const ProbeResult result =
      ProbeOnce(LoopbackOptions(), "http://127.0.0.1:" + std::to_string(closed_port) + "/");
  EXPECT_EQ(result.status_code, 0);
  EXPECT_EQ(result.error, "connection refused");
}

TEST(ProbeFailureTest, UnresolvableHost) {
  const ProbeResult result = ProbeOnce(LoopbackOptions(), "http://no-such-host.invalid/");
  EXPECT_EQ(result.status_code, 0);
  EXPECT_THAT(result.error, StartsWith("could not resolve host"));
}

TEST(ProbeFailureTest, SilentTargetTimesOutOnTime) {
  RawServer silent([](int fd, const RawServer& server) { HoldUntilClosed(fd, server); });
  const auto started = std::chrono::steady_clock::now();
  const ProbeResult result = ProbeOnce(LoopbackOptions(), silent.Url(), 300);
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(result.status_code, 0);
  EXPECT_EQ(result.error, "timed out after 300 ms");
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 1500ms);
  EXPECT_GE(result.total_ns, std::chrono::nanoseconds(300ms).count());
}

TEST(ProbeFailureTest, ServerThatClosesWithoutAnswering) {
  RawServer rude([](int fd, const RawServer& server) { ReadRequestHead(fd, server); });
  const ProbeResult result = ProbeOnce(LoopbackOptions(), rude.Url());
  EXPECT_EQ(result.status_code, 0);
  EXPECT_EQ(result.error, "server closed the connection without a response");
}

// Issue 13 defect 9: this was reported as "protocol not allowed (http and https only)".
TEST(ProbeFailureTest, Http09AnswerIsNamedAsSuch) {
  RawServer old_server([](int fd, const RawServer& server) {
    if (ReadRequestHead(fd, server).empty()) return;
    WriteAll(fd, "hello, this is a body without a status line\n");
  });
  const ProbeResult result = ProbeOnce(LoopbackOptions(), old_server.Url());
  EXPECT_EQ(result.status_code, 0);
  EXPECT_THAT(result.error, StartsWith("answered in HTTP/0.9 (no status line, no headers)"));
}

TEST(HostileTargetTest, HugeBodyIsCappedNotAnError) {
  std::atomic<int64_t> body_bytes_sent{0};
  constexpr int64_t kBodyBytes = 10 * 1024 * 1024;
  RawServer huge([&](int fd, const RawServer& server) {
    if (ReadRequestHead(fd, server).empty()) return;
    WriteAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(kBodyBytes) + "\r\n\r\n");
    const std::string chunk(64 * 1024, 'x');
    for (int64_t sent = 0; sent < kBodyBytes && !server.Stopping(); sent += chunk.size()) {
      if (!WriteAll(fd, chunk)) return;
      body_bytes_sent += static_cast<int64_t>(chunk.size());
    }
  });
  ProberOptions options = LoopbackOptions();
  options.max_body_bytes = 32 * 1024;

  // Warm up handles and caches so the memory comparison below sees only the huge bodies.
  ProbeOnce(options, huge.Url());
  const int64_t resident_before = ResidentKilobytes();

  testing::ResultCollector collector;
  CurlMultiProber prober(options, collector.Handler());
  std::vector<ProbeRequest> requests;
  for (uint64_t tag = 0; tag < 16; ++tag) requests.push_back({tag, huge.Url(), 10000});
  const auto started = std::chrono::steady_clock::now();
  prober.Submit(requests);
  const std::vector<ProbeResult> results = collector.WaitFor(requests.size(), 20s);
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_EQ(results.size(), requests.size());
  for (const ProbeResult& result : results) {
    EXPECT_EQ(result.status_code, 200);
    EXPECT_EQ(result.error, "");
    EXPECT_TRUE(result.body_capped);
    EXPECT_EQ(result.body_bytes, options.max_body_bytes);
  }
  EXPECT_LT(took, 5s);  // reading stopped at the cap instead of draining 160 MB
  if (kResidentMemoryIsMeaningful) {
    EXPECT_LT(ResidentKilobytes() - resident_before, 16 * 1024);  // 160 MB arrived at our door
  }
  // Far less than 17 bodies left the server: kernel buffers took some, nobody read the rest.
  EXPECT_LT(body_bytes_sent.load(), 17 * kBodyBytes / 2);
}

TEST(HostileTargetTest, BodyThatNeverEndsTimesOutAndCountsAsNoAnswer) {
  RawServer dripping([](int fd, const RawServer& server) {
    if (ReadRequestHead(fd, server).empty()) return;
    WriteAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nstart");
    HoldUntilClosed(fd, server);
  });
  const ProbeResult result = ProbeOnce(LoopbackOptions(), dripping.Url(), 300);
  EXPECT_EQ(result.error, "timed out after 300 ms");
  EXPECT_EQ(result.status_code, 0);  // the status line arrived, but an unfinished answer is none
  EXPECT_EQ(result.body_bytes, 5);
}

TEST(HostileTargetTest, ThousandsOfHeadersAreRefused) {
  RawServer noisy([](int fd, const RawServer& server) {
    if (ReadRequestHead(fd, server).empty()) return;
    std::string response = "HTTP/1.1 200 OK\r\n";
    for (int i = 0; i < 5000; ++i) response += "X-Filler-" + std::to_string(i) + ": abcdefghij\r\n";
    response += "Content-Length: 0\r\n\r\n";
    WriteAll(fd, response);
  });
  const ProbeResult result = ProbeOnce(LoopbackOptions(), noisy.Url());
  EXPECT_EQ(result.status_code, 0);
  EXPECT_EQ(result.error, "response headers too large (over 65536 bytes)");
}

TEST(HostileTargetTest, OneEndlessHeaderLineIsRefused) {
  RawServer endless([](int fd, const RawServer& server) {
    if (ReadRequestHead(fd, server).empty()) return;
    WriteAll(fd, "HTTP/1.1 200 OK\r\nX-Endless: ");
    const std::string chunk(16 * 1024, 'y');
    for (int i = 0; i < 64 && !server.Stopping(); ++i) {
      if (!WriteAll(fd, chunk)) return;
    }
  });
  const ProbeResult result = ProbeOnce(LoopbackOptions(), endless.Url());
  EXPECT_EQ(result.status_code, 0);
  EXPECT_THAT(result.error, StartsWith("response headers too large"));
}

TEST(HostileTargetTest, HeadersJustUnderTheCapAreFine) {
  RawServer chatty([](int fd, const RawServer& server) {
    if (ReadRequestHead(fd, server).empty()) return;
    std::string response = "HTTP/1.1 200 OK\r\n";
    for (int i = 0; i < 200; ++i) response += "X-Filler-" + std::to_string(i) + ": abcdefghij\r\n";
    response += "Content-Length: 0\r\n\r\n";
    WriteAll(fd, response);
  });
  const ProbeResult result = ProbeOnce(LoopbackOptions(), chatty.Url());
  EXPECT_EQ(result.status_code, 200);
  EXPECT_EQ(result.error, "");
}

TEST(ProberOptionsTest, InvalidDenyCidrFailsConstruction) {
  ProberOptions options;
  options.egress_deny_cidrs = {"169.254.0.0/16", "10.0.0.0/40"};
  try {
    CurlMultiProber prober(options, [](std::vector<ProbeResult>&&) {});
    FAIL() << "constructed with an invalid CIDR";
  } catch (const std::invalid_argument& error) {
    EXPECT_THAT(error.what(), HasSubstr("\"10.0.0.0/40\""));
  }
}

}  // namespace
}  // namespace lokahi::probe
