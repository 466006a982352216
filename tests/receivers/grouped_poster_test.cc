// GroupedPoster against a scripted poster: grouping, the bound on what it holds, and the chat
// service's rate limits. Waits are condition waits; time margins are generous because they bound
// behaviour, not speed.

#include "receivers/forward/grouped_poster.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <sstream>
#include <vector>

namespace lokahi::receivers {
namespace {

using github::xe::lokahi::CheckStatus;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

Notification NotificationFor(const std::string& check_id) {
  CheckStatus status;
  status.mutable_check()->set_id(check_id);
  return status;
}

// Formats a group as its check ids, comma-separated.
std::string Ids(std::span<const Notification> group) {
  std::string ids;
  for (const Notification& notification : group) {
    if (!ids.empty()) ids += ",";
    ids += std::get<CheckStatus>(notification).check().id();
  }
  return ids;
}

// Answers each post from a script (then 200), records what and when, and can be held.
class ScriptedPoster final : public JsonPoster {
 public:
  explicit ScriptedPoster(std::deque<PostResult> script = {}) : script_(std::move(script)) {}

  PostResult Post(const std::string& json) override {
    std::unique_lock lock(mutex_);
    posts_.push_back({json, Clock::now()});
    changed_.notify_all();
    changed_.wait(lock, [&] { return !held_; });
    if (script_.empty()) return PostResult{200, "", std::nullopt, std::nullopt};
    PostResult result = script_.front();
    script_.pop_front();
    return result;
  }
  void Hold(bool held) {
    std::lock_guard lock(mutex_);
    held_ = held;
    changed_.notify_all();
  }
  struct Posted {
    std::string body;
    Clock::time_point at;
  };
  std::vector<Posted> WaitForPosts(size_t count) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, std::chrono::seconds(10), [&] { return posts_.size() >= count; });
    return posts_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<PostResult> script_;
  std::vector<Posted> posts_;
  bool held_ = false;
};

class GroupedPosterTest : public ::testing::Test {
 protected:
  std::ostringstream log_stream_;
  logging::Logger logger_{"test", log_stream_};
};

TEST_F(GroupedPosterTest, WhatArrivesWithinTheWindowIsOnePost) {
  ScriptedPoster poster;
  GroupedPoster grouped(poster, &Ids, {milliseconds(300), milliseconds(3000), 256}, logger_);
  std::vector<std::future<GroupedOutcome>> outcomes;
  for (int i = 0; i < 20; ++i) {
    outcomes.push_back(std::async(std::launch::async, [&grouped, i] {
      return grouped.Post(NotificationFor("chk_" + std::to_string(i)));
    }));
  }
  for (auto& outcome : outcomes) {
    const GroupedOutcome got = outcome.get();
    EXPECT_EQ(got.kind, GroupedOutcome::Kind::kPosted);
    EXPECT_EQ(got.group_size, 20u);
  }
  const auto posts = poster.WaitForPosts(1);
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(std::count(posts[0].body.begin(), posts[0].body.end(), ','), 19);
}

TEST_F(GroupedPosterTest, BeyondTheBoundANotificationIsHandedBackAtOnce) {
  ScriptedPoster poster;
  poster.Hold(true);
  GroupedPoster grouped(poster, &Ids, {milliseconds(0), milliseconds(3000), 2}, logger_);
  auto first = std::async(std::launch::async, [&] { return grouped.Post(NotificationFor("a")); });
  ASSERT_EQ(poster.WaitForPosts(1).size(), 1u);  // "a" is being posted: held
  auto second = std::async(std::launch::async, [&] { return grouped.Post(NotificationFor("b")); });
  // "b" waits (2 held); a third is over the bound: handed back without waiting for anything.
  std::this_thread::sleep_for(
      milliseconds(100));  // lets "b" be held first; no condition to wait on
  const auto before = Clock::now();
  const GroupedOutcome third = grouped.Post(NotificationFor("c"));
  EXPECT_EQ(third.kind, GroupedOutcome::Kind::kBusy);
  EXPECT_EQ(third.retry_after, std::nullopt);
  EXPECT_LT(Clock::now() - before, milliseconds(1000));
  poster.Hold(false);
  EXPECT_EQ(first.get().kind, GroupedOutcome::Kind::kPosted);
  EXPECT_EQ(second.get().kind, GroupedOutcome::Kind::kPosted);
  const auto posts = poster.WaitForPosts(2);
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[1].body, "b");
}

TEST_F(GroupedPosterTest, A429IsWaitedOutAndTheSameGroupPostedAgain) {
  ScriptedPoster poster({PostResult{429, "slow down", milliseconds(400), std::nullopt}});
  GroupedPoster grouped(poster, &Ids, {milliseconds(0), milliseconds(3000), 256}, logger_);
  const GroupedOutcome outcome = grouped.Post(NotificationFor("a"));
  EXPECT_EQ(outcome.kind, GroupedOutcome::Kind::kPosted);
  const auto posts = poster.WaitForPosts(2);
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[1].body, "a");
  EXPECT_GE(posts[1].at - posts[0].at, milliseconds(400));
  EXPECT_NE(log_stream_.str().find("event=forward_rate_limited group_size=1 status_code=429 "
                                   "error=\"slow down\" retry_after_ms=400"),
            std::string::npos)
      << log_stream_.str();
}

TEST_F(GroupedPosterTest, ADeclaredPauseHoldsTheNextPost) {
  // Discord's X-RateLimit-Remaining: 0 on a success: the next post waits, no 429 needed.
  ScriptedPoster poster({PostResult{200, "", std::nullopt, milliseconds(400)}});
  GroupedPoster grouped(poster, &Ids, {milliseconds(0), milliseconds(3000), 256}, logger_);
  EXPECT_EQ(grouped.Post(NotificationFor("a")).kind, GroupedOutcome::Kind::kPosted);
  EXPECT_EQ(grouped.Post(NotificationFor("b")).kind, GroupedOutcome::Kind::kPosted);
  const auto posts = poster.WaitForPosts(2);
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_GE(posts[1].at - posts[0].at, milliseconds(400));
}

TEST_F(GroupedPosterTest, AWaitLongerThanTheHoldHandsBackWithTheTimeToComeBack) {
  ScriptedPoster poster({PostResult{429, "slow down", milliseconds(5000), std::nullopt}});
  GroupedPoster grouped(poster, &Ids, {milliseconds(0), milliseconds(200), 256}, logger_);
  const GroupedOutcome outcome = grouped.Post(NotificationFor("a"));
  EXPECT_EQ(outcome.kind, GroupedOutcome::Kind::kBusy);
  ASSERT_TRUE(outcome.retry_after);
  EXPECT_GT(*outcome.retry_after, milliseconds(4000));
  EXPECT_LE(*outcome.retry_after, milliseconds(5000));
  // While the limit lasts, nothing is posted: a new arrival is handed back as soon as it is clear
  // it cannot go out in time.
  const GroupedOutcome next = grouped.Post(NotificationFor("b"));
  EXPECT_EQ(next.kind, GroupedOutcome::Kind::kBusy);
  EXPECT_EQ(poster.WaitForPosts(1).size(), 1u);
}

TEST_F(GroupedPosterTest, ARefusalAnswersTheWholeGroup) {
  ScriptedPoster poster({PostResult{500, "boom", std::nullopt, std::nullopt}});
  GroupedPoster grouped(poster, &Ids, {milliseconds(0), milliseconds(3000), 256}, logger_);
  const GroupedOutcome outcome = grouped.Post(NotificationFor("a"));
  EXPECT_EQ(outcome.kind, GroupedOutcome::Kind::kRefused);
  EXPECT_EQ(outcome.post.status_code, 500);
  EXPECT_EQ(outcome.post.error, "boom");
}

}  // namespace
}  // namespace lokahi::receivers
