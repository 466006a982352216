#include "lib/metrics/ops_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include "tests/lib/metrics/exposition_parser.h"
#include "tests/support/ports.h"
#include "tests/support/raw_http.h"

namespace lokahi::metrics {
namespace {

using lokahi::testing::FreePort;
using lokahi::testing::PortAccepts;
using lokahi::testing::RawConnection;
using namespace std::chrono_literals;

TEST(OpsServerTest, ServesMetricsOverHttp) {
  Registry registry;
  auto& probes = registry.AddCounter("lokahi_probes_total", "Probes.", {{"outcome", "up"}});
  probes.Increment(3);
  const int port = FreePort();
  OpsServer server(port, registry, [] { return Readiness::Ready(); });
  ASSERT_TRUE(server.listening());

  httplib::Client client("127.0.0.1", port);
  auto response = client.Get("/metrics");
  ASSERT_TRUE(response) << httplib::to_string(response.error());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  auto parsed = testing::ParseExposition(response->body);
  EXPECT_EQ(parsed.Value("lokahi_probes_total", {{"outcome", "up"}}), 3);

  probes.Increment();  // each scrape renders afresh
  response = client.Get("/metrics");
  ASSERT_TRUE(response);
  parsed = testing::ParseExposition(response->body);
  EXPECT_EQ(parsed.Value("lokahi_probes_total", {{"outcome", "up"}}), 4);

  EXPECT_EQ(client.Get("/nothing-here")->status, 404);
}

TEST(OpsServerTest, HealthzFollowsTheReadinessCallback) {
  Registry registry;
  std::atomic<bool> nats_connected{true};
  const int port = FreePort();
  OpsServer server(port, registry, [&] {
    return nats_connected ? Readiness::Ready() : Readiness::NotReady("nats: disconnected");
  });
  httplib::Client client("127.0.0.1", port);

  auto response = client.Get("/healthz");
  ASSERT_TRUE(response) << httplib::to_string(response.error());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "ok\n");

  nats_connected = false;
  response = client.Get("/healthz");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 503);
  EXPECT_EQ(response->body, "nats: disconnected\n");

  nats_connected = true;
  response = client.Get("/healthz");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

TEST(OpsServerTest, StopsListeningWhenDestroyed) {
  Registry registry;
  const int port = FreePort();
  {
    OpsServer server(port, registry, nullptr);
    EXPECT_TRUE(PortAccepts(port));
  }
  EXPECT_FALSE(PortAccepts(port));
}

TEST(OpsServerTest, DestroyedImmediatelyAfterConstructionDoesNotHang) {
  // Constructed and destroyed at once, before its listen loop has started: each destruction must
  // return promptly and release the port (a server on it again starts). Runs on a thread of its
  // own so a hang fails here instead of timing out the whole binary.
  auto registry = std::make_shared<Registry>();  // shared: a hung thread outlives the test
  const int port = FreePort();
  auto done = std::make_shared<std::promise<std::string>>();
  auto finished = done->get_future();
  std::thread([done, registry, port] {
    std::string problem;
    try {
      for (int i = 0; i < 20; ++i) {
        const auto started = std::chrono::steady_clock::now();
        { OpsServer server(port, *registry, nullptr); }
        const auto took = std::chrono::steady_clock::now() - started;
        if (took > std::chrono::seconds(2)) {
          problem =
              "round " + std::to_string(i) + " took " +
              std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()) +
              " ms";
          break;
        }
        if (PortAccepts(port)) {
          problem = "port still accepts after round " + std::to_string(i);
          break;
        }
      }
    } catch (const std::exception& e) {
      problem = e.what();  // e.g. the port was not released: the next server cannot bind it
    }
    done->set_value(problem);
  }).detach();
  ASSERT_EQ(finished.wait_for(std::chrono::seconds(30)), std::future_status::ready)
      << "destroying a just-constructed ops server hangs";
  EXPECT_EQ(finished.get(), "");
}

TEST(OpsServerTest, PortZeroListensNowhere) {
  Registry registry;
  OpsServer server(0, registry, nullptr);
  EXPECT_FALSE(server.listening());
}

TEST(OpsServerTest, PortInUseIsAnErrorNamingThePort) {
  Registry registry;
  const int port = FreePort();
  OpsServer first(port, registry, nullptr);
  try {
    OpsServer second(port, registry, nullptr);
    FAIL() << "second server on the same port should not start";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(std::to_string(port)), std::string::npos) << e.what();
  }
}

TEST(OpsServerTest, RefusesAnyRequestBodyWithoutReadingIt) {
  Registry registry;
  const int port = FreePort();
  OpsServer server(port, registry, [] { return Readiness::Ready(); });
  {
    // A gzip body is refused for its Content-Encoding, before a byte of it is read.
    RawConnection connection(port);
    ASSERT_TRUE(
        connection.Send("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\n"
                        "Content-Length: 510000\r\n\r\n"));
    auto response = connection.ReadResponse(2s);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 415);
  }
  {
    // The ops port takes no body at all: a plain one is refused at once, unread.
    RawConnection connection(port);
    ASSERT_TRUE(
        connection.Send("POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 314572800\r\n\r\n"));
    auto response = connection.ReadResponse(2s);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 413);
  }
  httplib::Client client("127.0.0.1", port);
  auto response = client.Get("/healthz");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

TEST(OpsServerTest, HealthzAnswersWhileSlowClientsTrickleHeaders) {
  Registry registry;
  const int port = FreePort();
  OpsServer server(port, registry, [] { return Readiness::Ready(); });
  EXPECT_EQ(lokahi::testing::HealthzAnsweredWhileTrickling(port, 3), 3);
}

TEST(OpsServerTest, AnswersOtherMethodsWith405) {
  Registry registry;
  const int port = FreePort();
  OpsServer server(port, registry, nullptr);
  RawConnection connection(port);
  ASSERT_TRUE(connection.Send("DELETE /metrics HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto response = connection.ReadResponse(2s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 405);
  EXPECT_EQ(response->Header("allow"), "GET, HEAD");
}

}  // namespace
}  // namespace lokahi::metrics
