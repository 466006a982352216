// A probe asks as its check says: method, headers, body, redirects and IP version reach a real
// HTTP target, which records what it received.

#include <gtest/gtest.h>

#include <mutex>
#include <vector>

#include "lib/probe/curl_multi_prober.h"
#include "tests/lib/probe/probe_test_support.h"
#include "tests/lib/probe/server_thread.h"

namespace lokahi::probe {
namespace {

using testing::ProbeOnce;
using testing::ServerThread;

struct Received {
  std::string method;
  std::string path;
  std::string body;
  std::multimap<std::string, std::string> headers;
};

// Answers every method on every path; "/hop/N" redirects to "/hop/N-1", "/hop/0" answers 200.
class RecordingTarget {
 public:
  explicit RecordingTarget(const std::string& host = "127.0.0.1") {
    const auto handler = [this](const httplib::Request& request, httplib::Response& response) {
      {
        std::lock_guard lock(mutex_);
        received_.push_back({request.method,
                             request.path,
                             request.body,
                             {request.headers.begin(), request.headers.end()}});
      }
      if (request.path.rfind("/hop/", 0) == 0) {
        const int left = std::stoi(request.path.substr(5));
        if (left > 0) {
          response.status = 302;
          response.set_header("Location", "/hop/" + std::to_string(left - 1));
          return;
        }
      }
      response.set_content("seen " + request.method, "text/plain");
    };
    const std::string pattern = ".*";
    server_.Get(pattern, handler);
    server_.Post(pattern, handler);
    server_.Put(pattern, handler);
    server_.Patch(pattern, handler);
    server_.Delete(pattern, handler);
    server_.Options(pattern, handler);
    thread_ = std::make_unique<ServerThread>(server_, host);
  }
  std::string Url(const std::string& path) const { return thread_->Url(path); }
  int port() const { return thread_->port(); }
  std::vector<Received> received() {
    std::lock_guard lock(mutex_);
    return received_;
  }

 private:
  httplib::Server server_;
  std::mutex mutex_;
  std::vector<Received> received_;
  std::unique_ptr<ServerThread> thread_;
};

ProbeRequest Request(const std::string& url) { return ProbeRequest{1, url, 5000}; }

TEST(RequestOptionsTest, PostSendsItsBodyAndHeaders) {
  RecordingTarget target;
  auto request = Request(target.Url("/submit"));
  request.method = "POST";
  request.body = std::string(2000, 'b');  // over 1 KB: no Expect: 100-continue round trip
  request.header_lines = {"Authorization: Bearer s3cr3t", "Content-Type: application/json"};
  const auto result = ProbeOnce({}, std::move(request));
  ASSERT_EQ(result.error, "");
  EXPECT_EQ(result.status_code, 200);
  const auto received = target.received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].method, "POST");
  EXPECT_EQ(received[0].body, std::string(2000, 'b'));
  EXPECT_EQ(received[0].headers.find("Authorization")->second, "Bearer s3cr3t");
  EXPECT_EQ(received[0].headers.find("Content-Type")->second, "application/json");
  EXPECT_EQ(received[0].headers.count("Expect"), 0u);
}

TEST(RequestOptionsTest, EachMethodIsSentAsNamed) {
  RecordingTarget target;
  for (const std::string method : {"GET", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
    auto request = Request(target.Url("/m"));
    request.method = method;
    if (method == "PUT" || method == "PATCH") request.body = "{\"x\":1}";
    const auto result = ProbeOnce({}, std::move(request));
    EXPECT_EQ(result.status_code, 200) << method << ": " << result.error;
    ASSERT_FALSE(target.received().empty());
    EXPECT_EQ(target.received().back().method, method);
    if (method == "PUT" || method == "PATCH") {
      EXPECT_EQ(target.received().back().body, "{\"x\":1}");
    }
  }
}

TEST(RequestOptionsTest, HeadAsksForNoBody) {
  RecordingTarget target;
  auto request = Request(target.Url("/head"));
  request.method = "HEAD";
  const auto result = ProbeOnce({}, std::move(request));
  EXPECT_EQ(result.status_code, 200) << result.error;
  EXPECT_EQ(result.body_bytes, 0);
  ASSERT_EQ(target.received().size(), 1u);
  EXPECT_EQ(target.received()[0].method, "HEAD");
}

TEST(RequestOptionsTest, RedirectsFollowedUpToFiveOrNotAtAll) {
  RecordingTarget target;
  EXPECT_EQ(ProbeOnce({}, Request(target.Url("/hop/5"))).status_code, 200);
  EXPECT_EQ(ProbeOnce({}, Request(target.Url("/hop/6"))).error, "too many redirects (max 5)");

  auto request = Request(target.Url("/hop/1"));
  request.follow_redirects = false;
  const auto result = ProbeOnce({}, std::move(request));
  EXPECT_EQ(result.status_code, 302) << "the 3xx itself is judged";
}

TEST(RequestOptionsTest, IpVersionPicksTheAddressFamily) {
  RecordingTarget target;  // 127.0.0.1 only
  const std::string url = "http://localhost:" + std::to_string(target.port()) + "/";
  auto v4 = Request(url);
  v4.ip_resolve = IpResolve::kV4;
  EXPECT_EQ(ProbeOnce({}, std::move(v4)).status_code, 200);
  auto v6 = Request(url);
  v6.ip_resolve = IpResolve::kV6;
  const auto result = ProbeOnce({}, std::move(v6));
  EXPECT_EQ(result.status_code, 0) << "no IPv6 listener: asking for IPv6 must not reach it";
  EXPECT_NE(result.error, "");
}

}  // namespace
}  // namespace lokahi::probe
