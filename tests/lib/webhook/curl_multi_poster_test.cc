// CurlMultiPoster against real HTTP servers on 127.0.0.1.

#include "lib/webhook/curl_multi_poster.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdlib>
#include <thread>

#include "tests/lib/webhook/receiver.h"
#include "tests/support/ports.h"

namespace lokahi::webhook {
namespace {

using namespace std::chrono_literals;
using testing::Answer;
using testing::ReceivedRequest;
using testing::Receiver;

class CurlMultiPosterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { curl_ = new CurlLibrary(); }
  static void TearDownTestSuite() {
    delete curl_;
    curl_ = nullptr;
  }

  PostRequest Request(const std::string& url, std::chrono::milliseconds timeout = 5000ms) {
    PostRequest r;
    r.url = url;
    r.headers = {"Content-Type: application/protobuf", "webhook-id: tr_1"};
    r.body = std::string(
        "\x0a\x03"
        "abc\x00\xff",
        7);
    r.timeout = timeout;
    return r;
  }

  // Starts every request and polls until all completed (bounded by `limit`).
  std::vector<PostResponse> SendAll(std::vector<PostRequest> requests,
                                    std::chrono::milliseconds limit = 10s) {
    std::vector<PostResponse> responses(requests.size());
    size_t done = 0;
    for (size_t i = 0; i < requests.size(); ++i) {
      poster_.Start(std::move(requests[i]), [&, i](PostResponse&& r) {
        responses[i] = std::move(r);
        ++done;
      });
    }
    const auto give_up = std::chrono::steady_clock::now() + limit;
    while (done < responses.size() && std::chrono::steady_clock::now() < give_up) {
      poster_.Poll(50ms);
    }
    EXPECT_EQ(done, responses.size()) << "transfers did not finish in time";
    EXPECT_EQ(poster_.in_flight(), 0u);
    return responses;
  }

  static CurlLibrary* curl_;
  CurlMultiPoster poster_;
};
CurlLibrary* CurlMultiPosterTest::curl_ = nullptr;

TEST_F(CurlMultiPosterTest, PostsBodyAndHeaders) {
  Receiver receiver([](const ReceivedRequest&) { return Answer{201}; });
  const auto responses = SendAll({Request(receiver.Url("/in"))});
  EXPECT_EQ(responses[0].status_code, 201);
  EXPECT_TRUE(responses[0].error.empty());
  EXPECT_GT(responses[0].elapsed, 0ns);
  const auto requests = receiver.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].path, "/in");
  EXPECT_EQ(requests[0].body, std::string("\x0a\x03"
                                          "abc\x00\xff",
                                          7));
  EXPECT_EQ(requests[0].content_type, "application/protobuf");
  EXPECT_EQ(requests[0].webhook_id, "tr_1");
}

TEST_F(CurlMultiPosterTest, ManyTransfersRunAtOnce) {
  Receiver receiver([](const ReceivedRequest&) {
    std::this_thread::sleep_for(300ms);
    return Answer{200};
  });
  std::vector<PostRequest> requests;
  for (int i = 0; i < 40; ++i) requests.push_back(Request(receiver.Url()));
  const auto started = std::chrono::steady_clock::now();
  const auto responses = SendAll(std::move(requests));
  // One by one this would take 12 s.
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
  for (const auto& r : responses) EXPECT_EQ(r.status_code, 200);
  EXPECT_GT(receiver.MaxConcurrent(), 10);
}

TEST_F(CurlMultiPosterTest, RedirectIsAnAnswerAndIsNotFollowed) {
  Receiver receiver([](const ReceivedRequest& r) {
    return r.path == "/hook" ? Answer{307, "", "/elsewhere"} : Answer{200};
  });
  const auto responses = SendAll({Request(receiver.Url())});
  EXPECT_EQ(responses[0].status_code, 307);
  ASSERT_EQ(receiver.Count(), 1u);
  EXPECT_EQ(receiver.Requests()[0].path, "/hook");
}

TEST_F(CurlMultiPosterTest, RetryAfterOfTheAnswerIsKept) {
  Receiver receiver([](const ReceivedRequest&) { return Answer{503, "17"}; });
  const auto responses = SendAll({Request(receiver.Url())});
  EXPECT_EQ(responses[0].status_code, 503);
  EXPECT_EQ(responses[0].retry_after, "17");
}

TEST_F(CurlMultiPosterTest, OnlyHttpAndHttps) {
  const int port = lokahi::testing::FreePort();
  const auto responses =
      SendAll({Request("ftp://127.0.0.1:" + std::to_string(port) + "/x"),
               Request("file:///etc/hostname"), Request("gopher://127.0.0.1/x")});
  for (const auto& r : responses) {
    EXPECT_EQ(r.status_code, 0);
    EXPECT_FALSE(r.error.empty());
  }
}

TEST_F(CurlMultiPosterTest, TimeoutAndRefusedConnectionGiveNoAnswer) {
  Receiver slow([](const ReceivedRequest&) {
    std::this_thread::sleep_for(2s);
    return Answer{200};
  });
  const int closed_port = lokahi::testing::FreePort();
  const auto started = std::chrono::steady_clock::now();
  const auto responses =
      SendAll({Request(slow.Url(), 300ms),
               Request("http://127.0.0.1:" + std::to_string(closed_port) + "/hook")});
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1500ms);
  EXPECT_EQ(responses[0].status_code, 0);
  EXPECT_NE(responses[0].error.find("imed out"), std::string::npos) << responses[0].error;
  EXPECT_EQ(responses[1].status_code, 0);
  EXPECT_FALSE(responses[1].error.empty());
}

TEST_F(CurlMultiPosterTest, ProxyEnvironmentIsIgnored) {
  Receiver receiver;
  const std::string dead_proxy = "http://127.0.0.1:" + std::to_string(lokahi::testing::FreePort());
  for (const char* name : {"http_proxy", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"}) {
    setenv(name, dead_proxy.c_str(), 1);
  }
  const auto responses = SendAll({Request(receiver.Url())});
  for (const char* name : {"http_proxy", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"}) unsetenv(name);
  EXPECT_EQ(responses[0].status_code, 200) << responses[0].error;
  EXPECT_EQ(receiver.Count(), 1u);
}

TEST_F(CurlMultiPosterTest, WakeInterruptsAPoll) {
  std::thread waker([&] {
    std::this_thread::sleep_for(100ms);
    poster_.Wake();
  });
  const auto started = std::chrono::steady_clock::now();
  poster_.Poll(5000ms);
  waker.join();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
}

TEST_F(CurlMultiPosterTest, AbortAllDropsTransfersWithoutCompletions) {
  Receiver slow([](const ReceivedRequest&) {
    std::this_thread::sleep_for(1s);
    return Answer{200};
  });
  int completions = 0;
  poster_.Start(Request(slow.Url()), [&](PostResponse&&) { ++completions; });
  poster_.Start(Request(slow.Url()), [&](PostResponse&&) { ++completions; });
  poster_.Poll(100ms);
  EXPECT_EQ(poster_.in_flight(), 2u);
  poster_.AbortAll();
  EXPECT_EQ(poster_.in_flight(), 0u);
  poster_.Poll(50ms);
  EXPECT_EQ(completions, 0);
}

TEST(CurlMultiPosterPolicyTest, ConnectPolicyRefusesTheConnectedAddress) {
  CurlLibrary curl;
  Receiver receiver;
  int judged = 0;
  CurlMultiPoster poster([&](const sockaddr& address) -> std::optional<std::string> {
    ++judged;
    EXPECT_TRUE(address.sa_family == AF_INET || address.sa_family == AF_INET6);
    return "address 127.0.0.1 denied by test policy";
  });
  PostResponse response;
  bool done = false;
  PostRequest request;
  // A name rather than an address literal: the policy sees what DNS resolution produced.
  request.url = "http://localhost:" + std::to_string(receiver.port()) + "/hook";
  request.timeout = 5000ms;
  poster.Start(std::move(request), [&](PostResponse&& r) {
    response = std::move(r);
    done = true;
  });
  for (int i = 0; i < 100 && !done; ++i) poster.Poll(50ms);
  ASSERT_TRUE(done);
  EXPECT_EQ(response.status_code, 0);
  EXPECT_EQ(response.error, "address 127.0.0.1 denied by test policy");
  EXPECT_GE(judged, 1);
  EXPECT_EQ(receiver.Count(), 0u);
}

}  // namespace
}  // namespace lokahi::webhook
