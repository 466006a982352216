#include "lokahid/slot_queue.h"

#include <gtest/gtest.h>

#include "lib/checks/schedule.h"

namespace lokahi::lokahid {
namespace {

ScheduledCheck Check(const std::string& id, int every) {
  return {id, "http://t/", 1000, 0, every, 1};
}

std::vector<DueCheck> Pop(SlotQueue& q, int64_t now, int64_t* skipped = nullptr) {
  std::vector<DueCheck> out;
  int64_t s = 0;
  q.PopDue(now, out, s);
  if (skipped) *skipped = s;
  return out;
}

TEST(SlotQueue, DispatchesEachSlotOnceOnItsPhase) {
  SlotQueue q;
  const std::string id = "a5c7179a-0d3a-11e8-b53d-8faa88cfa70c";
  const int64_t phase = checks::SlotPhaseMs(id, 10000);
  q.Upsert(Check(id, 10), 1000000 + phase);
  EXPECT_TRUE(Pop(q, 1000000 + phase - 1).empty());
  auto due = Pop(q, 1000000 + phase);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].due_ms, 1000000 + phase);
  EXPECT_TRUE(Pop(q, 1000000 + phase + 9999).empty()) << "a slot is dispatched once";
  due = Pop(q, 1000000 + phase + 10000);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].due_ms, 1000000 + phase + 10000);
}

TEST(SlotQueue, FarBehindGetsOnlyTheLatestSlotAndCountsTheRest) {
  SlotQueue q;
  const std::string id = "b5c7179a-0d3a-11e8-b53d-8faa88cfa70c";
  const int64_t phase = checks::SlotPhaseMs(id, 10000);
  q.Upsert(Check(id, 10), phase);
  int64_t skipped = 0;
  const auto due = Pop(q, phase + 55000, &skipped);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].due_ms, phase + 50000);
  EXPECT_EQ(skipped, 5);
}

constexpr const char* kX = "11111111-2222-4333-8444-555555555555";
constexpr const char* kY = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";

TEST(SlotQueue, RemoveAndReplace) {
  SlotQueue q;
  q.Upsert(Check(kX, 10), 100);
  q.Upsert(Check(kY, 10), 100);
  q.Remove(kX);
  auto due = Pop(q, 100);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].check.id, kY);
  auto replaced = Check(kY, 20);
  replaced.version = 2;
  q.Upsert(replaced, 500);
  EXPECT_EQ(q.Version(kY), 2);
  EXPECT_EQ(q.Version(kX), -1);
  due = Pop(q, 500);
  ASSERT_EQ(due.size(), 1u) << "the old schedule of y was dropped";
  EXPECT_EQ(due[0].check.every_seconds, 20);
}

// Queues kX every hour and dispatches its first slot; returns that slot.
int64_t ProbedAtItsHourlySlot(SlotQueue& q) {
  const int64_t phase = checks::SlotPhaseMs(kX, 3600000);
  q.Upsert(Check(kX, 3600), phase);
  EXPECT_EQ(Pop(q, phase).size(), 1u);
  return phase;
}

TEST(SlotQueue, AnEditedCheckKeepsItsNextSlotAndTakesItsNewOptions) {
  SlotQueue q;
  const int64_t phase = ProbedAtItsHourlySlot(q);
  const int64_t next = phase + 3600000;
  ASSERT_EQ(q.NextDue(kX), next);

  auto edited = Check(kX, 3600);
  edited.url = "http://edited/";
  edited.version = 2;
  const int64_t now = phase + 600000;  // ten minutes after the last probe
  EXPECT_TRUE(q.Edit(edited, now));
  EXPECT_EQ(q.Version(kX), 2);
  EXPECT_EQ(q.NextDue(kX), next) << "an edit does not postpone the probe to now + every";
  EXPECT_TRUE(Pop(q, next - 1).empty());
  const auto due = Pop(q, next);
  ASSERT_EQ(due.size(), 1u) << "the kept slot is dispatched once";
  EXPECT_EQ(due[0].due_ms, next);
  EXPECT_EQ(due[0].check.url, "http://edited/");
  EXPECT_EQ(due[0].check.version, 2);
}

TEST(SlotQueue, AnEditThatShortensTheIntervalBringsTheNextSlotForward) {
  SlotQueue q;
  const int64_t phase = ProbedAtItsHourlySlot(q);
  const int64_t now = phase + 1000;
  ASSERT_TRUE(q.Edit(Check(kX, 10), now));
  EXPECT_EQ(q.NextDue(kX), now + 10000) << "never later than now + the new interval";
  EXPECT_TRUE(Pop(q, now + 9999).empty());
  auto due = Pop(q, now + 10000);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].check.every_seconds, 10);
  const int64_t new_phase = checks::SlotPhaseMs(kX, 10000);
  EXPECT_EQ(q.NextDue(kX), checks::NextSlotAfter(now + 10000, 10000, new_phase))
      << "later slots follow the new interval's phase";
}

TEST(SlotQueue, EditsMoreOftenThanTheIntervalDoNotStopTheProbes) {
  // A configuration tool re-applying a check every 5 s, with an interval of 30 s.
  SlotQueue q;
  q.Upsert(Check(kX, 30), 0);
  int dispatched = 0;
  for (int64_t now = 0; now <= 300000; now += 1000) {
    if (now % 5000 == 0) {
      auto edited = Check(kX, 30);
      edited.version = now + 2;
      ASSERT_TRUE(q.Edit(edited, now));
    }
    dispatched += static_cast<int>(Pop(q, now).size());
  }
  EXPECT_GE(dispatched, 10) << "one probe per 30 s over 300 s";
  EXPECT_LE(dispatched, 11);
}

TEST(SlotQueue, EditingACheckNotQueuedChangesNothing) {
  SlotQueue q;
  EXPECT_FALSE(q.Edit(Check(kX, 10), 0));
  EXPECT_FALSE(q.Edit(Check("not-a-uuid", 10), 0));
  EXPECT_EQ(q.size(), 0u);
  EXPECT_EQ(q.NextDue(kX), -1);
  EXPECT_TRUE(Pop(q, 1000000).empty());
}

TEST(SlotQueue, ARemovedChecksPlaceReusedByAnotherDoesNotRevivePendingSlots) {
  SlotQueue q;
  const std::string z = "0f0f0f0f-1e1e-4d2d-8c3c-4b4b4b4b4b4b";
  q.Upsert(Check(kX, 10), 100);
  q.Remove(kX);
  q.Upsert(Check(z, 10), 1000);
  EXPECT_TRUE(Pop(q, 999).empty()) << "x's slot at 100 went with x";
  const auto due = Pop(q, 1000);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].check.id, z);
  EXPECT_EQ(q.size(), 1u);
}

TEST(SlotQueue, IdsComeBackAsGivenAndMalformedOnesAreRefused) {
  SlotQueue q;
  q.Upsert(Check(kY, 10), 0);
  const auto due = Pop(q, 0);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].check.id, kY);
  EXPECT_EQ(due[0].check.url, "http://t/");
  EXPECT_EQ(due[0].check.timeout_ms, 1000);
  EXPECT_THROW(q.Upsert(Check("not-a-uuid", 10), 0), std::invalid_argument);
  EXPECT_EQ(q.Version("not-a-uuid"), -1);
}

TEST(SlotQueue, ReplacingAndRemovingChecksDoesNotGrowTheQueue) {
  SlotQueue q;
  const std::string kept = "c1c7179a-0d3a-11e8-b53d-8faa88cfa70c";
  const std::string churned = "c2c7179a-0d3a-11e8-b53d-8faa88cfa70c";
  q.Upsert(Check(kept, 86400), 5000);
  // A daily check re-created 100,000 times (a configuration tool replacing it), and as many
  // checks created and deleted: each left a dead slot that would only come up a day later.
  for (int i = 0; i < 100000; ++i) {
    q.Upsert(Check(churned, 86400), 7000 + i);
    const std::string temporary =
        "d" + std::to_string(1000000 + i) + "-0d3a-11e8-b53d-8faa88cfa70c";
    q.Upsert(Check(temporary, 60), 9000);
    q.Remove(temporary);
  }
  EXPECT_EQ(q.size(), 2u);
  EXPECT_LE(q.heap_slots(), 2 * q.size() + 1024);
  // What remains is exactly the live schedule: each check once, at its latest slot.
  const auto due = Pop(q, 1000000);
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].check.id, kept);
  EXPECT_EQ(due[0].due_ms, 5000);
  EXPECT_EQ(due[1].check.id, churned);
  EXPECT_EQ(due[1].due_ms, 7000 + 99999);
}

TEST(SlotQueue, SpreadsManyChecksAcrossTheInterval) {
  SlotQueue q;
  for (int i = 0; i < 10000; ++i) {
    char id[40];
    snprintf(id, sizeof id, "%08x-0000-4000-8000-%012x", i * 2654435761u, i);
    q.Upsert(Check(id, 10), 0);
  }
  Pop(q, 10000000);  // every check now waits for its own slot in the next 10 s
  for (int second = 1; second <= 10; ++second) {
    const auto due = Pop(q, 10000000 + second * 1000);
    EXPECT_GT(due.size(), 800u) << second;
    EXPECT_LT(due.size(), 1200u) << second;
  }
}

}  // namespace
}  // namespace lokahi::lokahid
