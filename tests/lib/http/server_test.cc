// lib/http's rules, each against a real socket on 127.0.0.1.

#include "lib/http/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <sstream>
#include <thread>

#include "tests/support/child_process.h"
#include "tests/support/ports.h"
#include "tests/support/raw_http.h"

namespace lokahi::http {
namespace {

using namespace std::chrono_literals;
using lokahi::testing::RawConnection;
using lokahi::testing::RawResponse;
using lokahi::testing::SendWhileWatching;
using Clock = std::chrono::steady_clock;

// A server on 127.0.0.1 whose handler records what it was given and answers
// "hello".
class HttpServerTest : public ::testing::Test {
 protected:
  void Start(ServerLimits limits = {}) {
    server_ = std::make_unique<Server>(
        [this](const Request& request) {
          {
            std::lock_guard lock(mutex_);
            requests_.push_back(request);
          }
          if (request.path == "/typed") {
            Response response;
            response.headers.Add("Content-Type", "application/json");
            response.body = "{}";
            return response;
          }
          Response response;
          response.body = "hello";
          return response;
        },
        limits, log_);
    port_ = server_->Listen("127.0.0.1", 0);
  }

  size_t Handled() {
    std::lock_guard lock(mutex_);
    return requests_.size();
  }
  Request LastRequest() {
    std::lock_guard lock(mutex_);
    return requests_.back();
  }
  std::string Log() { return log_stream_.str(); }

  std::ostringstream log_stream_;
  logging::Logger log_{"http_test", log_stream_};
  std::mutex mutex_;
  std::vector<Request> requests_;
  std::unique_ptr<Server> server_;
  int port_ = 0;
};

TEST_F(HttpServerTest, AnswersWithContentTypeAndContentLength) {
  Start();
  RawConnection connection(port_);
  ASSERT_TRUE(connection.Send("GET /plain HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto response = connection.ReadResponse(5s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "hello");
  EXPECT_EQ(response->Header("content-length"), "5");
  EXPECT_EQ(response->Header("content-type"), "text/plain; charset=utf-8");

  ASSERT_TRUE(connection.Send("GET /typed HTTP/1.1\r\nHost: x\r\n\r\n"));
  response = connection.ReadResponse(5s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->Header("content-type"), "application/json");
  EXPECT_EQ(response->Header("content-length"), "2");
}

TEST_F(HttpServerTest, GivesTheHandlerTheRequestAsReceived) {
  Start();
  RawConnection connection(port_);
  ASSERT_TRUE(
      connection.Send("POST /twirp/x?y=1&z HTTP/1.1\r\nHost: x\r\nX-Thing: "
                      "one\r\nContent-Length: 4\r\n\r\nbody"));
  ASSERT_TRUE(connection.ReadResponse(5s));
  const Request request = LastRequest();
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.target, "/twirp/x?y=1&z");
  EXPECT_EQ(request.path, "/twirp/x");
  EXPECT_EQ(request.query, "y=1&z");
  EXPECT_EQ(request.body, "body");
  EXPECT_EQ(request.headers.Get("x-thing"), "one");
  EXPECT_EQ(request.headers.Get("X-THING"), "one");
  EXPECT_FALSE(request.headers.Get("missing"));
  EXPECT_EQ(request.peer_address, "127.0.0.1");
  EXPECT_NE(request.peer_port, 0);
}

TEST_F(HttpServerTest, ContentEncodingIsRefusedBeforeTheBodyIsRead) {
  Start();
  RawConnection connection(port_);
  // The body is announced but never sent: the answer must not wait for it.
  ASSERT_TRUE(
      connection.Send("POST / HTTP/1.1\r\nHost: x\r\nContent-Encoding: "
                      "gzip\r\nContent-Length: 1000\r\n\r\n"));
  auto response = connection.ReadResponse(2s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 415);
  EXPECT_EQ(response->Header("content-type"), "text/plain; charset=utf-8");
  EXPECT_LT(response->body.size(), 200u);
  EXPECT_EQ(Handled(), 0u);
}

TEST_F(HttpServerTest, GzipBombIsRefusedWithoutInflating) {
  Start();
  const std::string bomb = lokahi::testing::GzipBomb(20);  // 200 MiB inflated
  const auto result = SendWhileWatching(port_,
                                        "POST / HTTP/1.1\r\nHost: x\r\nContent-Encoding: "
                                        "gzip\r\nContent-Length: " +
                                            std::to_string(bomb.size()) + "\r\n\r\n",
                                        bomb, bomb.size(), /*chunked=*/false, 10s);
  ASSERT_TRUE(result.response);
  EXPECT_EQ(result.response->status, 415);
  EXPECT_EQ(Handled(), 0u);
}

TEST_F(HttpServerTest, ContentLengthAboveTheLimitGets413AtOnce) {
  ServerLimits limits;
  limits.max_body_bytes = 1024;
  Start(limits);
  RawConnection connection(port_);
  ASSERT_TRUE(connection.Send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1025\r\n\r\n"));
  auto response = connection.ReadResponse(2s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(response->Header("connection"), "close");
  EXPECT_EQ(Handled(), 0u);
}

TEST_F(HttpServerTest, NegativeOrMalformedContentLengthGets400AtOnce) {
  ServerLimits limits;
  limits.header_deadline = 20s;  // the answer must come from the parse, not from a timeout
  Start(limits);
  for (const char* length : {"-1", "12abc", "99999999999999999999999"}) {
    SCOPED_TRACE(length);
    RawConnection connection(port_);
    const auto started = Clock::now();
    ASSERT_TRUE(connection.Send(std::string("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ") +
                                length + "\r\n\r\n"));
    auto response = connection.ReadResponse(2s);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 400);
    EXPECT_LT(Clock::now() - started, 2s);
  }
  EXPECT_EQ(Handled(), 0u);
  EXPECT_EQ(Log().find("level=error"), std::string::npos) << Log();
}

TEST_F(HttpServerTest, ChunkedBodyIsCutOffOnTheBytesReceived) {
  ServerLimits limits;
  limits.max_body_bytes = 64 * 1024;
  Start(limits);
  const std::string filler(4096, 'x');
  const auto result =
      SendWhileWatching(port_, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
                        filler, size_t{300} << 20, /*chunked=*/true, 20s);
  ASSERT_TRUE(result.response);
  EXPECT_EQ(result.response->status, 413);
  EXPECT_LT(result.body_bytes_sent, size_t{16} << 20);
  EXPECT_EQ(Handled(), 0u);

  // A chunked body within the limit is accepted and given whole.
  const auto small =
      SendWhileWatching(port_, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
                        filler, 3 * filler.size(), /*chunked=*/true, 5s);
  ASSERT_TRUE(small.response);
  EXPECT_EQ(small.response->status, 200);
  EXPECT_EQ(LastRequest().body, filler + filler + filler);
}

TEST_F(HttpServerTest, NoBodyLimitRefusesAnyBody) {
  ServerLimits limits;
  limits.max_body_bytes = 0;
  Start(limits);
  {
    RawConnection connection(port_);
    ASSERT_TRUE(connection.Send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n"));
    auto response = connection.ReadResponse(2s);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 413);
  }
  {
    RawConnection connection(port_);
    ASSERT_TRUE(
        connection.Send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"));
    auto response = connection.ReadResponse(2s);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 413);
  }
  EXPECT_EQ(Handled(), 0u);
  RawConnection connection(port_);
  ASSERT_TRUE(connection.Send("GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"));
  auto response = connection.ReadResponse(2s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

TEST_F(HttpServerTest, TrickledHeadersAreCutOffAtTheTotalDeadline) {
  ServerLimits limits;
  limits.header_deadline = 1500ms;
  Start(limits);
  RawConnection slow(port_);
  const std::string request = "GET / HTTP/1.1\r\nHost: x\r\nX-Padding: " + std::string(200, 'p');
  const auto started = Clock::now();
  bool closed = false;
  // One byte every 100 ms: each byte arrives well within any per-read timeout.
  for (size_t i = 0; i < request.size() && Clock::now() - started < 6s; ++i) {
    if (!slow.Send(request.substr(i, 1)) || slow.ClosedWithin(100ms)) {
      closed = true;
      break;
    }
  }
  const auto elapsed = Clock::now() - started;
  EXPECT_TRUE(closed);
  EXPECT_GE(elapsed, 1400ms);
  EXPECT_LT(elapsed, 3s);
  EXPECT_EQ(Handled(), 0u);
  EXPECT_EQ(Log().find("level=error"), std::string::npos) << Log();
}

TEST_F(HttpServerTest, SlowClientsDoNotDelayOthers) {
  ServerLimits limits;
  limits.handler_threads = 1;
  Start(limits);
  RawConnection slow1(port_), slow2(port_);
  ASSERT_TRUE(slow1.Send("GET / HTTP/1.1\r\nHo"));
  ASSERT_TRUE(slow2.Send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc"));
  for (int i = 0; i < 3; ++i) {
    RawConnection quick(port_);
    const auto started = Clock::now();
    ASSERT_TRUE(quick.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto response = quick.ReadResponse(1s);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_LT(Clock::now() - started, 1s);
  }
}

TEST(HttpServerHandlerTest, ASlowHandlerDoesNotStallOtherConnections) {
  std::ostringstream out;
  logging::Logger log("http_test", out);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  ServerLimits limits;
  limits.handler_threads = 2;
  Server server(
      [released](const Request& request) {
        if (request.path == "/slow") released.wait_for(10s);
        return Response{200, {}, "done"};
      },
      limits, log);
  const int port = server.Listen("127.0.0.1", 0);
  RawConnection slow(port);
  ASSERT_TRUE(slow.Send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"));
  RawConnection quick(port);
  ASSERT_TRUE(quick.Send("GET /quick HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto response = quick.ReadResponse(2s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "done");
  EXPECT_FALSE(slow.ReadResponse(100ms));
  release.set_value();
  ASSERT_TRUE(slow.ReadResponse(5s));
}

TEST_F(HttpServerTest, ConnectionsBeyondTheLimitAreClosedAtOnce) {
  ServerLimits limits;
  limits.max_connections = 2;
  Start(limits);
  auto first = std::make_unique<RawConnection>(port_);
  RawConnection second(port_);
  ASSERT_TRUE(first->Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(first->ReadResponse(2s));  // both are open and counted
  ASSERT_TRUE(lokahi::testing::WaitFor([&] { return server_->open_connections() == 2; }, 2s));
  RawConnection third(port_);
  EXPECT_TRUE(third.ClosedWithin(2s));
  first.reset();
  ASSERT_TRUE(lokahi::testing::WaitFor([&] { return server_->open_connections() == 1; }, 2s));
  RawConnection fourth(port_);
  ASSERT_TRUE(fourth.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto response = fourth.ReadResponse(2s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

TEST_F(HttpServerTest, KeepsConnectionsAliveAndServesPipelinedRequests) {
  Start();
  RawConnection connection(port_);
  ASSERT_TRUE(
      connection.Send("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(connection.ReadResponse(2s));
  ASSERT_TRUE(connection.ReadResponse(2s));
  ASSERT_TRUE(connection.Send("GET /c HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto response = connection.ReadResponse(2s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(Handled(), 3u);
  EXPECT_EQ(LastRequest().path, "/c");
}

TEST_F(HttpServerTest, IdleKeptAliveConnectionsAreClosedAfterTheIdleTimeout) {
  ServerLimits limits;
  limits.idle_timeout = 300ms;
  Start(limits);
  RawConnection connection(port_);
  ASSERT_TRUE(connection.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(connection.ReadResponse(2s));
  EXPECT_TRUE(connection.ClosedWithin(3s));
}

TEST_F(HttpServerTest, AnswersHttp10AndClosesUnlessAskedToKeepAlive) {
  Start();
  RawConnection connection(port_);
  ASSERT_TRUE(connection.Send("GET / HTTP/1.0\r\n\r\n"));
  auto response = connection.ReadResponse(2s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->version, "HTTP/1.0");
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "hello");
  EXPECT_TRUE(connection.ClosedWithin(2s));

  RawConnection kept(port_);
  ASSERT_TRUE(kept.Send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  ASSERT_TRUE(kept.ReadResponse(2s));
  ASSERT_TRUE(kept.Send("GET / HTTP/1.0\r\n\r\n"));
  ASSERT_TRUE(kept.ReadResponse(2s));
}

TEST_F(HttpServerTest, AnH2cUpgradeIsAnsweredAsHttp11) {
  Start();
  RawConnection connection(port_);
  ASSERT_TRUE(
      connection.Send("GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, "
                      "HTTP2-Settings\r\nUpgrade: h2c\r\n"
                      "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n"));
  auto response = connection.ReadResponse(2s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->version, "HTTP/1.1");
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "hello");
  EXPECT_EQ(response->Header("upgrade"), "");
}

TEST_F(HttpServerTest, AnswersToHeadHaveNoBody) {
  Start();
  RawConnection connection(port_);
  ASSERT_TRUE(connection.Send("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto response = connection.ReadResponse(2s, /*head_request=*/true);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->Header("content-length"), "5");
  // No body bytes follow: the next answer on the connection starts right away.
  ASSERT_TRUE(connection.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  response = connection.ReadResponse(2s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->version, "HTTP/1.1");
  EXPECT_EQ(response->body, "hello");
  EXPECT_TRUE(connection.unread().empty());
}

TEST_F(HttpServerTest, GarbageGets400) {
  Start();
  RawConnection connection(port_);
  ASSERT_TRUE(connection.Send("\x16\x03\x01 nonsense\r\n\r\n"));
  auto response = connection.ReadResponse(2s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(Handled(), 0u);
}

TEST_F(HttpServerTest, OversizedHeadersGet431) {
  Start();
  RawConnection connection(port_);
  ASSERT_TRUE(
      connection.Send("GET / HTTP/1.1\r\nX-Big: " + std::string(64 * 1024, 'b') + "\r\n\r\n"));
  auto response = connection.ReadResponse(2s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 431);
}

TEST_F(HttpServerTest, AHandlerExceptionIsAnswered500) {
  server_ = std::make_unique<Server>(
      [](const Request&) -> Response { throw std::runtime_error("boom"); }, ServerLimits{}, log_);
  port_ = server_->Listen("127.0.0.1", 0);
  RawConnection connection(port_);
  ASSERT_TRUE(connection.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto response = connection.ReadResponse(2s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 500);
}

TEST_F(HttpServerTest, ServesAnAdoptedConnectionWithTheGivenPeer) {
  Start();
  int listen_port = 0;
  const int listener = lokahi::testing::ListenOnLoopback(&listen_port);
  RawConnection connection(listen_port);
  const int accepted = accept(listener, nullptr, nullptr);
  ASSERT_GE(accepted, 0);
  close(listener);
  server_->Adopt(accepted, "::ffff:127.0.0.1", 40000);
  ASSERT_TRUE(connection.Send("GET /adopted HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto response = connection.ReadResponse(2s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(LastRequest().peer_address, "127.0.0.1");
  EXPECT_EQ(LastRequest().peer_port, 40000);
}

TEST_F(HttpServerTest, ListenNamesTheAddressWhenThePortIsTaken) {
  Start();
  Server second([](const Request&) { return Response{}; }, ServerLimits{}, log_);
  try {
    second.Listen("127.0.0.1", static_cast<uint16_t>(port_));
    FAIL() << "bound a port already in use";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("127.0.0.1:" + std::to_string(port_)),
              std::string::npos)
        << error.what();
  }
}

TEST_F(HttpServerTest, StopLetsARequestInProgressFinish) {
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  server_ = std::make_unique<Server>(
      [&entered, released](const Request&) {
        entered.set_value();
        released.wait_for(10s);
        return Response{200, {}, "finished"};
      },
      ServerLimits{}, log_);
  port_ = server_->Listen("127.0.0.1", 0);
  RawConnection connection(port_);
  ASSERT_TRUE(connection.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_EQ(entered.get_future().wait_for(5s), std::future_status::ready);
  std::thread stopper([this] { server_->Stop(); });
  std::this_thread::sleep_for(100ms);  // Stop() is under way, waiting for the handler
  release.set_value();
  auto response = connection.ReadResponse(5s);
  stopper.join();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "finished");
  EXPECT_FALSE(lokahi::testing::PortAccepts(port_));
}

}  // namespace
}  // namespace lokahi::http
