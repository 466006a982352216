// The order waiting probes start in: oldest first normally, newest first under a backlog, and a
// backlog that expires (handed back, to be counted) instead of delaying every probe behind it.

#include "lib/probe/waiting_queue.h"

#include <gtest/gtest.h>

namespace lokahi::probe {
namespace {

using namespace std::chrono_literals;
using SteadyTime = WaitingQueue::SteadyTime;
using WallTime = WaitingQueue::WallTime;

const SteadyTime kSteadyStart{};
const WallTime kWallStart{std::chrono::seconds(1'800'000'000)};

ProbeRequest Scheduled(uint64_t tag, WallTime start_by) {
  return {tag, "http://127.0.0.1:9/", 5000, start_by};
}
ProbeRequest OnDemand(uint64_t tag) { return {tag, "http://127.0.0.1:9/", 5000}; }

// Tags of everything Pop hands out at `elapsed` after the start, in order.
std::vector<uint64_t> PopAll(WaitingQueue& queue, std::chrono::milliseconds elapsed,
                             std::vector<ProbeRequest>& expired) {
  std::vector<uint64_t> tags;
  while (auto request = queue.Pop(kSteadyStart + elapsed, kWallStart + elapsed, expired)) {
    tags.push_back(request->tag);
  }
  return tags;
}

std::vector<uint64_t> Tags(const std::vector<ProbeRequest>& requests) {
  std::vector<uint64_t> tags;
  for (const ProbeRequest& request : requests) tags.push_back(request.tag);
  return tags;
}

TEST(WaitingQueueTest, OldestFirstWhileTheQueueKeepsUp) {
  WaitingQueue queue(1000ms);
  for (uint64_t tag = 1; tag <= 3; ++tag) {
    queue.Push(Scheduled(tag, kWallStart + 10s), kSteadyStart);
  }
  std::vector<ProbeRequest> expired;
  EXPECT_EQ(PopAll(queue, 900ms, expired), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_TRUE(expired.empty());
}

TEST(WaitingQueueTest, NewestFirstOnceTheOldestHasWaitedTooLong) {
  WaitingQueue queue(1000ms);
  queue.Push(Scheduled(1, kWallStart + 10s), kSteadyStart);
  queue.Push(Scheduled(2, kWallStart + 10s), kSteadyStart);
  queue.Push(Scheduled(3, kWallStart + 11s), kSteadyStart + 1500ms);
  std::vector<ProbeRequest> expired;
  // At 1.5 s the oldest has waited 1.5 s: the one that just arrived goes first.
  const auto next = queue.Pop(kSteadyStart + 1500ms, kWallStart + 1500ms, expired);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->tag, 3u);
  EXPECT_EQ(queue.size(), 2u);
}

TEST(WaitingQueueTest, ABacklogPastItsStartByIsHandedBackNotStarted) {
  WaitingQueue queue(1000ms);
  queue.Push(Scheduled(1, kWallStart + 2s), kSteadyStart);
  queue.Push(Scheduled(2, kWallStart + 2s), kSteadyStart);
  queue.Push(Scheduled(3, kWallStart + 12s), kSteadyStart + 2500ms);
  std::vector<ProbeRequest> expired;
  // Even with no slot free to start anything, the expired ones leave the queue.
  queue.DropExpired(kWallStart + 3s, expired);
  EXPECT_EQ(Tags(expired), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(queue.size(), 1u);
  EXPECT_EQ(PopAll(queue, 3s, expired), (std::vector<uint64_t>{3}));
}

TEST(WaitingQueueTest, AnExpiredRequestAtTheNewestEndIsNotStarted) {
  WaitingQueue queue(1000ms);
  queue.Push(Scheduled(1, kWallStart + 10s), kSteadyStart);
  queue.Push(Scheduled(2, kWallStart + 1s), kSteadyStart + 100ms);  // a shorter start-by
  std::vector<ProbeRequest> expired;
  EXPECT_EQ(PopAll(queue, 2s, expired), (std::vector<uint64_t>{1}));
  EXPECT_EQ(Tags(expired), (std::vector<uint64_t>{2}));
}

TEST(WaitingQueueTest, AnOnDemandRunIsNeitherExpiredNorPassedOver) {
  WaitingQueue queue(1000ms);
  queue.Push(OnDemand(1), kSteadyStart);
  queue.Push(Scheduled(2, kWallStart + 10s), kSteadyStart);
  queue.Push(Scheduled(3, kWallStart + 10s), kSteadyStart + 4s);
  std::vector<ProbeRequest> expired;
  // The operator's run has waited 5 s and has no start-by: it goes first, then newest first.
  EXPECT_EQ(PopAll(queue, 5s, expired), (std::vector<uint64_t>{1, 3, 2}));
  EXPECT_TRUE(expired.empty());
}

TEST(WaitingQueueTest, BackToOldestFirstOnceTheBacklogHasCleared) {
  WaitingQueue queue(1000ms);
  queue.Push(Scheduled(1, kWallStart + 10s), kSteadyStart);
  queue.Push(Scheduled(2, kWallStart + 10s), kSteadyStart + 1s);
  std::vector<ProbeRequest> expired;
  ASSERT_EQ(PopAll(queue, 2s, expired), (std::vector<uint64_t>{2, 1}));
  queue.Push(Scheduled(3, kWallStart + 12s), kSteadyStart + 2s);
  queue.Push(Scheduled(4, kWallStart + 12s), kSteadyStart + 2s);
  EXPECT_EQ(PopAll(queue, 2100ms, expired), (std::vector<uint64_t>{3, 4}));
}

TEST(WaitingQueueTest, TakeAllEmptiesOldestFirst) {
  WaitingQueue queue(1000ms);
  queue.Push(Scheduled(1, kWallStart + 10s), kSteadyStart);
  queue.Push(OnDemand(2), kSteadyStart);
  EXPECT_EQ(Tags(queue.TakeAll()), (std::vector<uint64_t>{1, 2}));
  EXPECT_TRUE(queue.empty());
}

}  // namespace
}  // namespace lokahi::probe
