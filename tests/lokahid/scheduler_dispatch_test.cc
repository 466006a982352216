// The scheduler against a real Postgres: what happens to slots when publishing fails (a fake
// channel), when no healthworker is subscribed, when NATS restarts, and when one check's spec
// is too large for a NATS message (a real nats-server).

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <pqxx/pqxx>
#include <sstream>
#include <thread>

#include "internal.pb.h"
#include "lib/nats/nats_client.h"
#include "lib/nats/subjects.h"
#include "lokahid/nats_batch_channel.h"
#include "lokahid/scheduler.h"
#include "tests/lib/webhook/outbox_rows.h"
#include "tests/support/daemon.h"
#include "tests/support/nats_server.h"
#include "tests/support/shared_services.h"

namespace lokahi::lokahid {
namespace {

using namespace std::chrono_literals;

nats::Library& NatsLibrary() {
  static nats::Library library;
  return library;
}

std::string DatabaseWithChecks(int count, int every_seconds) {
  const std::string url = webhook::testrows::NewMigratedDatabase();
  pqxx::connection sql(url);
  for (int i = 0; i < count; ++i) {
    webhook::testrows::CheckRow check{"http://127.0.0.1:9/hook"};
    check.url = "http://127.0.0.1:9/" + std::to_string(i);
    check.every_seconds = every_seconds;
    webhook::testrows::InsertCheck(sql, check);
  }
  return url;
}

long long RecordedSkipped(const std::string& url) {
  pqxx::connection sql(url);
  pqxx::read_transaction txn(sql);
  return txn.exec1("SELECT coalesce(sum(count), 0) FROM skipped_slots")[0].as<long long>();
}

SchedulerOptions Options(const std::string& url) {
  SchedulerOptions options;
  options.database_url = url;
  options.holder_name = "test";
  options.lease_retry = 200ms;
  return options;
}

auto Now() {
  return [] { return std::chrono::system_clock::now(); };
}

// Subscribed to check.run like a healthworker: records every slot it receives, and when.
class Collector {
 public:
  struct Slot {
    int64_t due_ms = 0;
    std::chrono::steady_clock::time_point received;
  };
  explicit Collector(const std::string& nats_url)
      : connection_(nats::ConnectionOptions{nats_url, "collector"}) {
    subscription_ = connection_.Subscribe(
        nats::Subjects::kCheckRun, nats::QueueGroups::kHealthworkers, [this](nats::Message&& m) {
          internal::RunBatch batch;
          if (!batch.ParseFromString(m.data)) return;
          const auto now = std::chrono::steady_clock::now();
          std::lock_guard lock(mutex_);
          ++messages_;
          if (batch.checks_size() > 1) ++multi_check_messages_;
          max_bytes_ = std::max(max_bytes_, m.data.size());
          for (const auto& spec : batch.checks())
            slots_[spec.id()].push_back({spec.due_unix_ms(), now});
          total_ += batch.checks_size();
        });
    connection_.Flush(5s);  // subscribed at the server from here on
  }
  long long total() {
    std::lock_guard lock(mutex_);
    return total_;
  }
  std::map<std::string, std::vector<Slot>> slots() {
    std::lock_guard lock(mutex_);
    return slots_;
  }
  size_t max_bytes() {
    std::lock_guard lock(mutex_);
    return max_bytes_;
  }
  long long multi_check_messages() {
    std::lock_guard lock(mutex_);
    return multi_check_messages_;
  }

 private:
  nats::Connection connection_;
  std::mutex mutex_;
  std::map<std::string, std::vector<Slot>> slots_;
  long long total_ = 0, messages_ = 0, multi_check_messages_ = 0;
  size_t max_bytes_ = 0;
  std::unique_ptr<nats::Subscription> subscription_;
};

// Publishes nothing; refuses every publish after the first few (its reconnect buffer full, say).
class RefusingChannel : public BatchChannel {
 public:
  bool Connected() override { return true; }
  size_t MaxPayload() override { return 1024 * 1024; }
  void Publish(const std::string& payload, int64_t) override {
    if (publishes.fetch_add(1) >= 3) throw std::runtime_error("nats: insufficient buffer");
    internal::RunBatch batch;
    batch.ParseFromString(payload);
    sent.fetch_add(batch.checks_size());
  }
  int64_t TakeUnrouted() override { return 0; }
  void Settle(std::chrono::milliseconds) override {}
  std::atomic<int> publishes{0};
  std::atomic<long long> sent{0};
};

TEST(SchedulerDispatchTest, SlotsAFailedPublishCouldNotSendAreCountedAsSkipped) {
  const std::string url = DatabaseWithChecks(20, 1);
  RefusingChannel channel;
  std::ostringstream log_text;
  logging::Logger log("lokahid", log_text);
  Scheduler scheduler(Options(url), channel, Now(), log);
  scheduler.Start();
  ASSERT_TRUE(testing::WaitFor([&] { return channel.publishes.load() >= 8; }, 20s))
      << log_text.str();
  scheduler.Stop();

  const long long recorded_skipped = RecordedSkipped(url);
  EXPECT_GT(recorded_skipped, 0) << "lost slots must show where operators look\n" << log_text.str();
  EXPECT_EQ(scheduler.stats().skipped.load(), recorded_skipped);
  EXPECT_EQ(scheduler.stats().dispatched.load(), channel.sent.load());
  EXPECT_NE(log_text.str().find("event=dispatch_failed slots_lost="), std::string::npos)
      << log_text.str();
}

// A scheduler publishing on a real NATS through NatsBatchChannel, as lokahid wires it.
struct NatsScheduler {
  NatsScheduler(const std::string& database_url, const std::string& nats_url)
      : nats({nats_url, "scheduler under test"}),
        channel(nats),
        scheduler(Options(database_url), channel, Now(), log) {
    scheduler.Start();
  }
  std::string Log() const { return log_text.str(); }

  std::ostringstream log_text;
  logging::Logger log{"lokahid", log_text};
  nats::Connection nats;
  NatsBatchChannel channel;
  Scheduler scheduler;
};

TEST(SchedulerDispatchTest, SlotsPublishedWhileNoHealthworkerIsSubscribedAreCountedAsSkipped) {
  NatsLibrary();
  const std::string url = DatabaseWithChecks(20, 1);
  const std::string nats_url = testing::Services().nats.Url();
  NatsScheduler running(url, nats_url);
  Scheduler& scheduler = running.scheduler;
  // A few seconds with no healthworker at all.
  ASSERT_TRUE(testing::WaitFor([&] { return scheduler.stats().dispatched.load() >= 60; }, 20s))
      << running.Log();
  const long long published_unheard = scheduler.stats().dispatched.load();
  // Then one subscribes.
  Collector worker(nats_url);
  ASSERT_TRUE(testing::WaitFor([&] { return worker.total() >= 60; }, 20s)) << running.Log();
  scheduler.Stop();

  const auto& stats = scheduler.stats();
  EXPECT_GE(stats.skipped_unrouted.load(), published_unheard)
      << "every slot of the window with no healthworker is counted";
  ASSERT_TRUE(testing::WaitFor(
      [&] { return worker.total() + stats.skipped_unrouted.load() == stats.dispatched.load(); },
      5s))
      << "received " << worker.total() << " + unrouted " << stats.skipped_unrouted.load()
      << " != dispatched " << stats.dispatched.load();
  EXPECT_EQ(RecordedSkipped(url), stats.skipped.load())
      << "runstats (skipped_slots) and /metrics agree";
}

TEST(SchedulerDispatchTest, ANatsRestartReplaysNoSlots) {
  NatsLibrary();
  const std::string url = DatabaseWithChecks(20, 1);
  testing::NatsServer server;  // its own: this test stops it
  NatsScheduler running(url, server.Url());
  Scheduler& scheduler = running.scheduler;
  ASSERT_TRUE(testing::WaitFor([&] { return scheduler.stats().dispatched.load() >= 40; }, 20s))
      << running.Log();
  server.Stop();
  std::this_thread::sleep_for(3s);  // the outage itself: nothing to wait for
  server.Start();
  // Subscribed before the scheduler's client reconnects (it retries every 250 ms), so whatever
  // that client flushes on reconnect arrives here.
  Collector after(server.Url());
  ASSERT_TRUE(testing::WaitFor([&] { return after.total() >= 60; }, 20s)) << running.Log();
  scheduler.Stop();

  EXPECT_GT(scheduler.stats().skipped_disconnected.load(), 0) << running.Log();
  // At most one slot per check per moment: a check every second never gets two slots within
  // half a second of each other, and each slot's due time is recent when it arrives.
  for (const auto& [id, slots] : after.slots()) {
    for (size_t i = 1; i < slots.size(); ++i) {
      EXPECT_GE(slots[i].received - slots[i - 1].received, 500ms)
          << id << ": slots due " << slots[i - 1].due_ms << " and " << slots[i].due_ms
          << " arrived together";
      EXPECT_GT(slots[i].due_ms, slots[i - 1].due_ms) << id;
    }
  }
}

TEST(SchedulerDispatchTest, ACheckTooLargeForOneMessageDoesNotDisturbOthersSlots) {
  NatsLibrary();
  const std::string url = DatabaseWithChecks(10, 1);
  std::string huge_id;
  {
    // Written straight into the store, past the API's limits.
    pqxx::connection sql(url);
    for (int i = 0; i < 4; ++i) {  // together over 1 MiB: their slots need several messages
      webhook::testrows::CheckRow big{"http://127.0.0.1:9/hook"};
      big.url = "http://127.0.0.1:9/" + std::string(300 * 1024, 'a' + i);
      big.every_seconds = 1;
      webhook::testrows::InsertCheck(sql, big);
    }
    webhook::testrows::CheckRow huge{"http://127.0.0.1:9/hook"};
    huge.url = "http://127.0.0.1:9/" + std::string(1100 * 1024, 'x');
    huge.every_seconds = 1;
    huge_id = webhook::testrows::InsertCheck(sql, huge);
  }
  const std::string nats_url = testing::Services().nats.Url();
  Collector worker(nats_url);
  NatsScheduler running(url, nats_url);
  Scheduler& scheduler = running.scheduler;
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        const auto slots = worker.slots();
        if (slots.size() < 14) return false;
        for (const auto& [id, s] : slots) {
          if (s.size() < 4) return false;
        }
        return true;
      },
      30s))
      << running.Log();
  scheduler.Stop();

  const auto slots = worker.slots();
  EXPECT_EQ(slots.count(huge_id), 0u);
  EXPECT_EQ(slots.size(), 14u) << "every other check is dispatched";
  for (const auto& [id, s] : slots) {
    for (size_t i = 1; i < s.size(); ++i) {
      EXPECT_EQ(s[i].due_ms - s[i - 1].due_ms, 1000) << id << ": no slot lost";
    }
  }
  EXPECT_LE(worker.max_bytes(), running.channel.MaxPayload());
  EXPECT_GT(scheduler.stats().skipped_oversized.load(), 0);
  EXPECT_GE(RecordedSkipped(url), scheduler.stats().skipped_oversized.load());
  const std::string text = running.Log();
  EXPECT_NE(text.find("event=check_too_large_to_dispatch check_id=" + huge_id), std::string::npos)
      << text;
  EXPECT_EQ(text.find("check_too_large_to_dispatch"), text.rfind("check_too_large_to_dispatch"))
      << "logged once per check, not every slot";
  EXPECT_EQ(text.find("dispatch_failed"), std::string::npos) << text;
  EXPECT_EQ(text.find("scheduler_inactive"), text.rfind("scheduler_inactive"))
      << "it never resigned before the end\n"
      << text;
}

}  // namespace
}  // namespace lokahi::lokahid
