// Which slots the healthworker still probes and which it skips as stale, with an in-memory
// result writer and a clock the test sets (the prober is the real one, probing 127.0.0.1).

#include "healthworker/probe_dispatcher.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <mutex>
#include <sstream>

#include "internal.pb.h"
#include "tests/healthworker/fake_result_writer.h"
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

// A dispatcher whose clock stands at `now_`, probing a port where nothing listens (each probe
// ends at once with no answer), recording what it would write.
class ProbeDispatcherTest : public ::testing::Test {
 protected:
  ProbeDispatcher& Dispatcher(DispatcherOptions options = {}) {
    dispatcher_ = std::make_unique<ProbeDispatcher>(
        std::move(options), batcher_, ProbeDispatcher::Reply{}, [now = now_] { return now; }, log_);
    return *dispatcher_;
  }
  void AddSlot(internal::RunBatch& batch, const std::string& id, int every, int64_t due_ms) {
    auto* spec = batch.add_checks();
    spec->set_id(id);
    spec->set_url(refused_url_);
    spec->set_timeout_ms(1000);
    spec->set_every(every);
    spec->set_due_unix_ms(due_ms);
  }
  void TearDown() override {
    if (dispatcher_) dispatcher_->Stop(0ms);
    batcher_.Stop(5s);
  }

  const std::chrono::system_clock::time_point now_ = std::chrono::system_clock::now();
  const int64_t now_ms_ =
      std::chrono::duration_cast<std::chrono::milliseconds>(now_.time_since_epoch()).count();
  const std::string refused_url_ = "http://127.0.0.1:" + std::to_string(testing::FreePort()) + "/";
  std::ostringstream log_text_;
  logging::Logger log_{"healthworker", log_text_};
  FakeResultWriter writer_;
  ResultBatcher batcher_{writer_, {100, 20ms}, {}, log_};
  std::unique_ptr<ProbeDispatcher> dispatcher_;
};

TEST_F(ProbeDispatcherTest, ALongIntervalsSlotTooLateToMatterIsSkippedNotProbed) {
  auto& dispatcher = Dispatcher();
  internal::RunBatch batch;
  AddSlot(batch, "00000000-0000-0000-0000-000000000001", 3600, now_ms_ - 20'000);  // stale
  AddSlot(batch, "00000000-0000-0000-0000-000000000002", 3600, now_ms_ - 1'000);   // probed
  dispatcher.OnRunBatch(batch.SerializeAsString());
  EXPECT_EQ(dispatcher.stats().skipped_stale.load(), 1);

  ASSERT_TRUE(testing::WaitFor([&] { return writer_.Written().size() == 1; }, 10s));
  const auto written = writer_.Written();
  EXPECT_EQ(written[0].check_id, "00000000-0000-0000-0000-000000000002");
  EXPECT_EQ(written[0].status_code, 0) << "nothing listens there: no answer";
}

TEST_F(ProbeDispatcherTest, ASlotThatCannotBePlacedInTimeIsSkippedNotProbed) {
  // Anyone who can publish on check.run can send these (found by tests/fuzz/run_batch_fuzzer:
  // the lag arithmetic overflowed and the slot was probed).
  auto& dispatcher = Dispatcher();
  internal::RunBatch batch;
  AddSlot(batch, "00000000-0000-0000-0000-000000000001", 10, INT64_MIN);
  AddSlot(batch, "00000000-0000-0000-0000-000000000002", 10, INT64_MAX);
  AddSlot(batch, "00000000-0000-0000-0000-000000000003", 10, -1);
  dispatcher.OnRunBatch(batch.SerializeAsString());
  // Refused where decoded (a slot must lie between 1970 and 9999) or skipped: never probed.
  EXPECT_EQ(dispatcher.stats().skipped_stale.load() + dispatcher.stats().invalid_specs.load(), 3);
  EXPECT_EQ(dispatcher.InFlight() + dispatcher.Queued(), 0u);
}

TEST_F(ProbeDispatcherTest, ABatchIsAdmittedUpToFreeSlotsPlusQueueRoomAndTheRestSkipped) {
  DispatcherOptions options;
  options.prober.max_in_flight = 1;
  options.max_queued = 2;
  auto& dispatcher = Dispatcher(options);
  internal::RunBatch batch;
  for (int i = 1; i <= 5; ++i) {
    AddSlot(batch, "00000000-0000-0000-0000-00000000000" + std::to_string(i), 10, now_ms_);
  }
  dispatcher.OnRunBatch(batch.SerializeAsString());
  EXPECT_EQ(dispatcher.stats().skipped_overload.load(), 2)
      << "one free slot and two waiting places: three admitted, not the whole batch skipped";
  ASSERT_TRUE(testing::WaitFor([&] { return writer_.Written().size() == 3; }, 10s));

  // The next batch starts admitting one further along, so an overload skips other checks.
  dispatcher.OnRunBatch(batch.SerializeAsString());
  ASSERT_TRUE(testing::WaitFor([&] { return writer_.Written().size() == 6; }, 10s));
  std::vector<std::string> first, second;
  const auto written = writer_.Written();
  for (int i = 0; i < 3; ++i) first.push_back(written[i].check_id);
  for (int i = 3; i < 6; ++i) second.push_back(written[i].check_id);
  std::sort(first.begin(), first.end());
  std::sort(second.begin(), second.end());
  EXPECT_EQ(first, (std::vector<std::string>{"00000000-0000-0000-0000-000000000001",
                                             "00000000-0000-0000-0000-000000000002",
                                             "00000000-0000-0000-0000-000000000003"}));
  EXPECT_EQ(second, (std::vector<std::string>{"00000000-0000-0000-0000-000000000002",
                                              "00000000-0000-0000-0000-000000000003",
                                              "00000000-0000-0000-0000-000000000004"}));
}

// Issue 13: NATS is a trust boundary. A spec that could not be recorded (an id that is not a
// UUID, a bad url or timeout) is refused where the batch is decoded, counted and logged once;
// the rest of the batch is probed as usual.
TEST_F(ProbeDispatcherTest, InvalidSpecsAreRefusedAndTheRestOfTheBatchIsProbed) {
  auto& dispatcher = Dispatcher();
  internal::RunBatch batch;
  AddSlot(batch, "not-a-uuid", 10, now_ms_);
  AddSlot(batch, "00000000-0000-0000-0000-000000000001", 10, now_ms_);
  AddSlot(batch, "00000000-0000-0000-0000-000000000002", 10, now_ms_);
  batch.mutable_checks(2)->set_url("gopher://127.0.0.1/");
  AddSlot(batch, "00000000-0000-0000-0000-000000000003", 10, now_ms_);
  batch.mutable_checks(3)->set_timeout_ms(-5);
  AddSlot(batch, "00000000-0000-0000-0000-000000000004", 10, now_ms_);
  batch.mutable_checks(4)->set_url(std::string(9000, 'a'));
  dispatcher.OnRunBatch(batch.SerializeAsString());
  dispatcher.OnRunBatch(batch.SerializeAsString());

  EXPECT_EQ(dispatcher.stats().invalid_specs.load(), 8);
  ASSERT_TRUE(testing::WaitFor([&] { return writer_.Written().size() == 2; }, 10s));
  for (const auto& record : writer_.Written()) {
    EXPECT_EQ(record.check_id, "00000000-0000-0000-0000-000000000001");
  }
  const std::string log = log_text_.str();
  EXPECT_NE(log.find("level=warn"), std::string::npos) << log;
  EXPECT_NE(log.find("not-a-uuid"), std::string::npos) << log;
  EXPECT_EQ(log.find("refused_nats_message"), log.rfind("refused_nats_message"))
      << "logged once, not per batch:\n"
      << log;
  EXPECT_EQ(log.find("level=error"), std::string::npos) << log;
}

TEST_F(ProbeDispatcherTest, UndecodableMessagesAreCountedAndRunNowSpecsValidatedToo) {
  auto& dispatcher = Dispatcher();
  dispatcher.OnRunBatch("\xff\xff\xff not protobuf");
  EXPECT_EQ(dispatcher.stats().invalid_messages.load(), 1);
  internal::RunNowRequest request;
  request.mutable_check()->set_id("'); DROP TABLE results; --");
  request.mutable_check()->set_url(refused_url_);
  request.mutable_check()->set_timeout_ms(1000);
  dispatcher.OnRunNow(request.SerializeAsString(), "_INBOX.reply");
  EXPECT_EQ(dispatcher.stats().invalid_specs.load(), 1);
  EXPECT_FALSE(testing::WaitFor([&] { return !writer_.Written().empty(); }, 500ms));
}

TEST_F(ProbeDispatcherTest, ABatchArrivingAfterItsDeliveryDeadlineIsSkippedWhole) {
  auto& dispatcher = Dispatcher();
  // Held in the scheduler's NATS client over a reconnect: its slot alone is not stale yet, but
  // probing it now would sample the check again at the moment its next slot is probed.
  internal::RunBatch replayed;
  AddSlot(replayed, "00000000-0000-0000-0000-000000000001", 10, now_ms_ - 3'000);
  replayed.set_deliver_by_unix_ms(now_ms_ - 1'000);
  dispatcher.OnRunBatch(replayed.SerializeAsString());
  EXPECT_EQ(dispatcher.stats().skipped_stale.load(), 1);

  internal::RunBatch on_time;
  AddSlot(on_time, "00000000-0000-0000-0000-000000000002", 10, now_ms_ - 500);
  on_time.set_deliver_by_unix_ms(now_ms_ + 1'000);
  dispatcher.OnRunBatch(on_time.SerializeAsString());
  ASSERT_TRUE(testing::WaitFor([&] { return writer_.Written().size() == 1; }, 10s));
  EXPECT_EQ(writer_.Written()[0].check_id, "00000000-0000-0000-0000-000000000002");
  EXPECT_EQ(dispatcher.stats().skipped_stale.load(), 1);
}

}  // namespace
}  // namespace lokahi::healthworker
