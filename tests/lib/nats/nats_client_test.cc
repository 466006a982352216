// The NATS client against real nats-servers: server lists and clusters, starting before NATS is
// up, and credentials in NATS_URL.

#include "lib/nats/nats_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "tests/support/nats_server.h"

namespace lokahi::nats {
namespace {

using namespace std::chrono_literals;

Library& NatsLibrary() {
  static Library library;
  return library;
}

// Counts the distinct payloads received on one subject.
struct Received {
  std::mutex mutex;
  std::set<std::string> payloads;
  bool Has(const std::string& payload) {
    std::lock_guard lock(mutex);
    return payloads.count(payload) > 0;
  }
};

std::unique_ptr<Subscription> SubscribeInto(Connection& connection, Received& received) {
  return connection.Subscribe("test.subject", "", [&received](Message&& m) {
    std::lock_guard lock(received.mutex);
    received.payloads.insert(m.data);
  });
}

// Publishes `payload` every 100 ms until it arrives (messages published while the client
// reconnects may be lost with the server that died) or `timeout` passes.
bool Delivered(Connection& publisher, Received& received, const std::string& payload,
               std::chrono::milliseconds timeout) {
  return testing::WaitFor(
      [&] {
        if (publisher.Connected()) {
          try {
            publisher.Publish("test.subject", payload);
            publisher.Flush(1s);
          } catch (const NatsError&) {
          }
        }
        return testing::WaitFor([&] { return received.Has(payload); }, 100ms);
      },
      timeout);
}

TEST(ServerList, SplitsTheCommaFormAndKeepsCredentials) {
  const auto list = ParseServerList(" nats://u:p@h1:4222, nats://h2:4222 ,tls://h3:4443");
  ASSERT_EQ(list.urls.size(), 3u);
  EXPECT_EQ(list.urls[0], "nats://u:p@h1:4222");
  EXPECT_EQ(list.urls[1], "nats://h2:4222");
  EXPECT_EQ(list.urls[2], "tls://h3:4443");
  EXPECT_EQ(list.user, "u");
  EXPECT_EQ(list.password, "p");
  EXPECT_EQ(list.token, "");

  const auto token = ParseServerList("nats://s3cr3t@h1:4222");
  EXPECT_EQ(token.token, "s3cr3t");
  EXPECT_EQ(token.user, "");

  const auto single = ParseServerList("nats://127.0.0.1:4222");
  ASSERT_EQ(single.urls.size(), 1u);
  EXPECT_EQ(single.user + single.token, "");
}

TEST(ServerList, RefusesEmptyEntries) {
  EXPECT_THROW(ParseServerList(""), NatsError);
  EXPECT_THROW(ParseServerList("nats://h1:4222,,nats://h2:4222"), NatsError);
  EXPECT_THROW(ParseServerList("nats://h1:4222,"), NatsError);
}

TEST(NatsClient, ConnectsThroughAServerListAndCarriesOnWhenTheServerInUseDies) {
  NatsLibrary();
  testing::NatsCluster cluster(3);
  Connection subscriber({cluster.Urls(), "test-subscriber", false});
  Connection publisher({cluster.Urls(), "test-publisher", false});
  ASSERT_TRUE(subscriber.Connected());
  Received received;
  auto subscription = SubscribeInto(subscriber, received);
  subscriber.Flush(2s);
  // Routes between the members form shortly after they start.
  ASSERT_TRUE(Delivered(publisher, received, "before", 10s));

  const int in_use = cluster.IndexOf(subscriber.ConnectedUrl());
  ASSERT_GE(in_use, 0) << subscriber.ConnectedUrl();
  cluster.node(in_use).Kill();

  EXPECT_TRUE(testing::WaitFor([&] { return subscriber.Reconnects() >= 1; }, 10s));
  EXPECT_TRUE(Delivered(publisher, received, "after", 15s))
      << "a message published after the server in use died reaches the subscriber";
  const int now_in_use = cluster.IndexOf(subscriber.ConnectedUrl());
  EXPECT_GE(now_in_use, 0);
  EXPECT_NE(now_in_use, in_use);
}

TEST(NatsClient, StartsWhileNatsIsDownAndConnectsWhenItComes) {
  NatsLibrary();
  testing::NatsServer server;
  server.Stop();
  std::atomic<bool> constructed{false};
  std::unique_ptr<Connection> connection;
  std::thread construct([&] {
    connection = std::make_unique<Connection>(ConnectionOptions{server.Url(), "test-early"});
    constructed = true;
  });
  // The constructor must not wait for a server; on failure the thread unblocks once NATS starts.
  const bool returned_at_once = testing::WaitFor([&] { return constructed.load(); }, 3s);
  EXPECT_TRUE(returned_at_once) << "the constructor blocked until a server answered";
  if (returned_at_once) EXPECT_FALSE(connection->Connected());
  if (returned_at_once) {
    // What needs a server fails at once instead of hanging the caller.
    const auto started = std::chrono::steady_clock::now();
    EXPECT_FALSE(connection->Request("test.nobody", "x", 5s).has_value());
    EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
  }
  server.Start();
  construct.join();
  EXPECT_TRUE(testing::WaitFor([&] { return connection->Connected(); }, 10s));

  Received received;
  auto subscription = SubscribeInto(*connection, received);
  connection->Flush(2s);
  Connection publisher({server.Url(), "test-publisher", false});
  EXPECT_TRUE(Delivered(publisher, received, "hello", 5s));
}

TEST(NatsClient, UserAndPasswordInTheUrlAuthenticate) {
  NatsLibrary();
  testing::NatsServerOptions options;
  options.user = "lokahi";
  options.password = "s3cr3t-pass";
  testing::NatsServer server(options);
  Connection good({server.UrlWithCredentials(), "test-good", false});
  EXPECT_TRUE(good.Connected());
  EXPECT_EQ(good.ConnectedUrl().find("s3cr3t"), std::string::npos) << good.ConnectedUrl();

  // The list form keeps them.
  Connection listed(
      {server.UrlWithCredentials() + "," + server.UrlWithCredentials(), "test-list", false});
  EXPECT_TRUE(listed.Connected());

  EXPECT_THROW(Connection({server.Url(), "test-none", false}), NatsError);
  const std::string wrong = "nats://lokahi:wrong@127.0.0.1:" + std::to_string(server.port());
  EXPECT_THROW(Connection({wrong, "test-wrong", false}), NatsError);

  // In the background, wrong credentials leave the client disconnected, with an error.
  Connection background({wrong, "test-wrong-background"});
  EXPECT_FALSE(testing::WaitFor([&] { return background.Connected(); }, 1s));
  EXPECT_NE(background.LastError(), "");
  // Once the client gives up on credentials the server refused, subscribing still returns (the
  // daemon stays up to report itself unready) and nothing is delivered.
  ASSERT_TRUE(testing::WaitFor([&] { return background.Closed(); }, 10s));
  EXPECT_NO_THROW(background.Subscribe("test.subject", "", [](Message&&) {}));
  EXPECT_FALSE(background.Connected());
}

TEST(NatsClient, TokenInTheUrlAuthenticates) {
  NatsLibrary();
  testing::NatsServerOptions options;
  options.token = "t0ken-of-32-chars-abcdefghijklmn";
  testing::NatsServer server(options);
  Connection good({server.UrlWithCredentials(), "test-token", false});
  EXPECT_TRUE(good.Connected());
  EXPECT_THROW(
      Connection({"nats://other@127.0.0.1:" + std::to_string(server.port()), "test-bad", false}),
      NatsError);
}


}  // namespace
}  // namespace lokahi::nats
