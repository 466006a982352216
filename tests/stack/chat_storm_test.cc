// A storm through the real stack to a chat relay: 300 checks on a target that flips every 3 s,
// lokahid, a healthworker and the webhookworker delivering every transition to discord_hook,
// which relays to a fake Discord that allows 5 posts per 2 s (and says so in its X-RateLimit
// headers). Every transition decided must reach the chat service exactly once, in far fewer posts
// than transitions, and no post may go into the limit the service announced.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <pqxx/pqxx>
#include <thread>

#include "lokahi.grpc.pb.h"
#include "tests/receivers/fake_chat_endpoint.h"
#include "tests/support/daemon.h"
#include "tests/support/ports.h"
#include "tests/support/shared_services.h"

namespace lokahi {
namespace {

namespace pb = github::xe::lokahi;
using namespace std::chrono_literals;
using receivers::testing::FakeChatEndpoint;
using testing::Services;
using testing::WaitFor;

constexpr int kChecks = 300;

long long Count(const std::string& database_url, const std::string& sql) {
  pqxx::connection connection(database_url);
  pqxx::nontransaction txn(connection);
  return txn.exec(sql)[0][0].as<long long>();
}

TEST(ChatStormTest, EveryTransitionReachesDiscordOnceInAFewPostsWithinItsRateLimit) {
  const std::string database_url = Services().postgres.NewDatabase();
  const std::string nats_url = Services().nats.Url();
  FakeChatEndpoint chat({}, FakeChatEndpoint::RateLimit{5, 2000ms, /*announce=*/true});
  const int hook_port = testing::FreePort();
  auto relay = testing::StartDaemon("receivers/discord_hook",
                                    {{"PORT", std::to_string(hook_port)},
                                     {"WEBHOOK_URL", chat.WebhookUrl()},
                                     {"FORWARD_GROUP_WINDOW_MS", "500"}},
                                    hook_port);
  const int target_port = testing::FreePort();
  auto target = testing::StartDaemon("receivers/duke-of-york",
                                     {{"PORT", std::to_string(target_port)}, {"DUKE_PERIOD", "3"}},
                                     target_port);
  const int lokahid_port = testing::FreePort();
  auto lokahid = testing::StartDaemon("lokahid/lokahid",
                                      {{"DATABASE_URL", database_url},
                                       {"NATS_URL", nats_url},
                                       {"PORT", std::to_string(lokahid_port)},
                                       {"LOKAHI_MIN_EVERY", "1"}},
                                      lokahid_port);
  auto healthworker =
      testing::StartDaemon("healthworker/healthworker", {{"DATABASE_URL", database_url},
                                                         {"NATS_URL", nats_url},
                                                         {"LOKAHI_BATCH_MAX_DELAY_MS", "50"}});
  auto webhookworker = testing::StartDaemon(
      "webhookworker/webhookworker", {{"DATABASE_URL", database_url}, {"NATS_URL", nats_url}});

  auto stub = pb::Checks::NewStub(grpc::CreateChannel("127.0.0.1:" + std::to_string(lokahid_port),
                                                      grpc::InsecureChannelCredentials()));
  for (int i = 0; i < kChecks; ++i) {
    pb::CreateOpts opts;
    opts.set_url("http://127.0.0.1:" + std::to_string(target_port) + "/c" + std::to_string(i));
    opts.set_webhook_url("http://127.0.0.1:" + std::to_string(hook_port) +
                         "/twirp/github.xe.lokahi.Webhook/Handle");
    opts.set_every(1);
    opts.set_timeout_ms(5000);
    pb::Check check;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 20s);
    const auto status = stub->Create(&context, opts, &check);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  std::this_thread::sleep_for(15s);  // the target flips five times: a storm of transitions

  // Stop deciding, then let the outbox drain through the relay.
  for (auto* producer : {&lokahid, &healthworker}) {
    const int status = (*producer)->Stop(SIGTERM, 30s);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << (*producer)->Log();
  }
  const auto pending = [&] {
    return Count(database_url, "SELECT count(*) FROM transitions WHERE delivery_state = 0");
  };
  EXPECT_TRUE(WaitFor([&] { return pending() == 0; }, 60s)) << pending() << " still pending";

  const long long transitions = Count(database_url, "SELECT count(*) FROM transitions");
  const long long failed =
      Count(database_url, "SELECT count(*) FROM transitions WHERE delivery_state = 2");
  const auto accepted = chat.Accepted();
  long long carried = 0;
  for (const std::string& body : accepted) carried += FakeChatEndpoint::NotificationsIn(body);
  std::printf(
      "chat_storm checks=%d transitions=%lld posts=%zu carried=%lld rate_limited=%d early=%d "
      "failed=%lld\n",
      kChecks, transitions, accepted.size(), carried, chat.RateLimited(), chat.Early(), failed);
  std::fflush(stdout);

  EXPECT_GE(transitions, kChecks * 3) << "the target flipped through the run";
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(carried, transitions) << "each transition in exactly one post the service accepted";
  EXPECT_LE(static_cast<long long>(accepted.size()) * 10, transitions)
      << "grouped: at least 10 transitions per post on average";
  EXPECT_EQ(chat.Early(), 0) << "a post went into the limit the service had announced";
  EXPECT_TRUE(relay->Running()) << relay->Log();
}

}  // namespace
}  // namespace lokahi
