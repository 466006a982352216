// The scheduler against a real Postgres, with the NATS publish replaced: what happens to slots
// when publishing fails.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <pqxx/pqxx>
#include <sstream>
#include <thread>

#include "internal.pb.h"
#include "lokahid/scheduler.h"
#include "tests/lib/webhook/outbox_rows.h"
#include "tests/support/daemon.h"

namespace lokahi::lokahid {
namespace {

using namespace std::chrono_literals;

TEST(SchedulerDispatchTest, SlotsAFailedPublishCouldNotSendAreCountedAsSkipped) {
  const std::string url = webhook::testrows::NewMigratedDatabase();
  {
    pqxx::connection sql(url);
    for (int i = 0; i < 20; ++i) {
      webhook::testrows::CheckRow check{"http://127.0.0.1:9/hook"};
      check.url = "http://127.0.0.1:9/" + std::to_string(i);
      check.every_seconds = 1;
      webhook::testrows::InsertCheck(sql, check);
    }
  }

  // NATS refuses every publish (its reconnect buffer full, say) after the first few.
  std::atomic<int> publishes{0};
  std::atomic<long long> sent{0};
  std::ostringstream log_text;
  logging::Logger log("lokahid", log_text);
  SchedulerOptions options;
  options.database_url = url;
  options.holder_name = "test";
  options.lease_retry = 200ms;
  Scheduler scheduler(
      options,
      [&](const std::string& payload) {
        if (publishes.fetch_add(1) >= 3) throw std::runtime_error("nats: insufficient buffer");
        internal::RunBatch batch;
        batch.ParseFromString(payload);
        sent.fetch_add(batch.checks_size());
      },
      [] { return std::chrono::system_clock::now(); }, log);
  scheduler.Start();
  ASSERT_TRUE(testing::WaitFor([&] { return publishes.load() >= 8; }, 20s)) << log_text.str();
  scheduler.Stop();

  pqxx::connection sql(url);
  pqxx::read_transaction txn(sql);
  const long long recorded_skipped =
      txn.exec1("SELECT coalesce(sum(count), 0) FROM skipped_slots")[0].as<long long>();
  EXPECT_GT(recorded_skipped, 0) << "lost slots must show where operators look\n" << log_text.str();
  EXPECT_GE(scheduler.stats().skipped.load(), recorded_skipped);
  EXPECT_NE(log_text.str().find("event=dispatch_failed slots_lost="), std::string::npos)
      << log_text.str();
}

}  // namespace
}  // namespace lokahi::lokahid
