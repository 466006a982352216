// Which slots the healthworker still probes and which it skips as stale, with an in-memory
// result writer and a clock the test sets (the prober is the real one, probing 127.0.0.1).

#include "healthworker/probe_dispatcher.h"

#include <gtest/gtest.h>

#include <mutex>
#include <sstream>

#include "internal.pb.h"
#include "tests/support/daemon.h"
#include "tests/support/ports.h"

namespace lokahi::healthworker {
namespace {

using namespace std::chrono_literals;

TEST(StaleAfterTest, UntilTheNextSlotWithAFloorAndACap) {
  EXPECT_EQ(StaleAfter(1, 10s, 10s), 10s);  // short intervals ride out a hiccup
  EXPECT_EQ(StaleAfter(10, 10s, 10s), 10s);
  EXPECT_EQ(StaleAfter(3600, 10s, 10s), 10s) << "not an hour late";
  EXPECT_EQ(StaleAfter(30, 10s, 60s), 30s);
  EXPECT_EQ(StaleAfter(10, 10s, 2s), 2s);  // an operator who prefers on time to complete
}

class RecordingWriter final : public store::ResultWriter {
 public:
  store::WriteOutcome Write(const std::vector<store::ProbeRecord>& batch, int64_t) override {
    std::lock_guard lock(mutex_);
    for (const auto& r : batch) written_.push_back(r);
    store::WriteOutcome outcome;
    outcome.results_written = batch.size();
    return outcome;
  }
  std::vector<store::ProbeRecord> Written() {
    std::lock_guard lock(mutex_);
    return written_;
  }

 private:
  std::mutex mutex_;
  std::vector<store::ProbeRecord> written_;
};

TEST(ProbeDispatcherTest, ALongIntervalsSlotTooLateToMatterIsSkippedNotProbed) {
  const auto now = std::chrono::system_clock::now();
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::ostringstream log_text;
  logging::Logger log("healthworker", log_text);
  RecordingWriter writer;
  ResultBatcher batcher(writer, {100, 20ms}, {}, log);
  ProbeDispatcher dispatcher(
      {}, batcher, {}, [now] { return now; }, log);

  internal::RunBatch batch;
  const std::string refused = "http://127.0.0.1:" + std::to_string(testing::FreePort()) + "/";
  auto add = [&](const std::string& id, int64_t due_ms) {
    auto* spec = batch.add_checks();
    spec->set_id(id);
    spec->set_url(refused);
    spec->set_timeout_ms(1000);
    spec->set_every(3600);
    spec->set_due_unix_ms(due_ms);
  };
  add("00000000-0000-0000-0000-000000000001", now_ms - 20'000);  // 20 s late: stale
  add("00000000-0000-0000-0000-000000000002", now_ms - 1'000);   // 1 s late: probed
  dispatcher.OnRunBatch(batch.SerializeAsString());
  EXPECT_EQ(dispatcher.stats().skipped_stale.load(), 1);

  ASSERT_TRUE(testing::WaitFor([&] { return writer.Written().size() == 1; }, 10s));
  const auto written = writer.Written();
  EXPECT_EQ(written[0].check_id, "00000000-0000-0000-0000-000000000002");
  EXPECT_EQ(written[0].status_code, 0) << "nothing listens there: no answer";
  dispatcher.Stop(0ms);
  batcher.Stop(5s);
}

}  // namespace
}  // namespace lokahi::healthworker
