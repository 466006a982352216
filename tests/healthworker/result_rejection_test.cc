// The result batcher against writers that refuse rows or fail: one row Postgres refuses never
// holds back the others, and a backlog that cannot be written shows on /healthz.

#include "healthworker/result_batcher.h"

#include <gtest/gtest.h>

#include <mutex>
#include <sstream>

#include "healthworker/worker_metrics.h"
#include "tests/healthworker/fake_result_writer.h"
#include "tests/support/child_process.h"

namespace lokahi::healthworker {
namespace {

using namespace std::chrono_literals;

store::ProbeRecord Record(const std::string& id) {
  store::ProbeRecord r;
  r.check_id = id;
  r.slot_ms = 1;
  return r;
}

TEST(ResultBatcherTest, RowsPostgresRefusesAreDroppedAndCountedAndTheRestWrittenInOrder) {
  FakeResultWriter writer({"bad-1", "bad-2"});
  std::ostringstream log_text;
  logging::Logger log("healthworker", log_text);
  ResultBatcher batcher(writer, {100, 20ms}, {}, log);
  std::vector<store::ProbeRecord> records;
  std::vector<std::string> good;
  for (int i = 0; i < 40; ++i) {
    if (i == 7) records.push_back(Record("bad-1"));
    if (i == 30) records.push_back(Record("bad-2"));
    good.push_back("good-" + std::to_string(i));
    records.push_back(Record(good.back()));
  }
  batcher.CountSkipped(3);
  batcher.Add(records);

  ASSERT_TRUE(testing::WaitFor([&] { return writer.WrittenIds().size() == good.size(); }, 10s));
  EXPECT_EQ(writer.WrittenIds(), good) << "every good row written once, in order";
  EXPECT_EQ(batcher.stats().rejected.load(), 2);
  EXPECT_EQ(batcher.stats().written.load(), static_cast<long long>(good.size()));
  EXPECT_EQ(writer.Skipped(), 3) << "skipped slots counted once";
  // Never retried forever: the writer goes quiet once the chunk is settled.
  const int calls = writer.Calls();
  EXPECT_FALSE(testing::WaitFor([&] { return writer.Calls() > calls; }, 500ms));
  EXPECT_LT(calls, 30) << "halving finds 2 bad rows among 42 in a few dozen writes at most";
  EXPECT_EQ(batcher.BacklogAge(), 0ms);
  const std::string text = log_text.str();
  EXPECT_NE(text.find("event=result_rejected"), std::string::npos) << text;
  EXPECT_NE(text.find("bad-1"), std::string::npos) << text;
}

TEST(ResultBatcherTest, ABacklogThatCannotBeWrittenMakesTheWorkerUnready) {
  FakeResultWriter writer;
  writer.SetFailing(true);
  std::ostringstream log_text;
  logging::Logger log("healthworker", log_text);
  std::mutex clock_mutex;
  auto now = std::chrono::steady_clock::time_point() + 1000s;
  BatcherOptions options{100, 20ms};
  options.clock = [&] {
    std::lock_guard lock(clock_mutex);
    return now;
  };
  ResultBatcher batcher(writer, options, {}, log);
  const auto readiness = WriteBacklogReadiness(batcher, 30s);

  batcher.Add({Record("a"), Record("b")});
  ASSERT_TRUE(testing::WaitFor([&] { return writer.Calls() >= 2; }, 10s)) << "retried";
  EXPECT_TRUE(readiness().ready);
  {
    std::lock_guard lock(clock_mutex);
    now += 31s;
  }
  EXPECT_GE(batcher.BacklogAge(), 31s);
  const auto unready = readiness();
  EXPECT_FALSE(unready.ready);
  EXPECT_NE(unready.reason.find("results"), std::string::npos) << unready.reason;

  writer.SetFailing(false);
  ASSERT_TRUE(testing::WaitFor([&] { return writer.WrittenIds().size() == 2; }, 15s));
  EXPECT_EQ(batcher.BacklogAge(), 0ms);
  EXPECT_TRUE(readiness().ready);
  batcher.Stop(5s);
}

}  // namespace
}  // namespace lokahi::healthworker
