#include "receivers/forward/forward_queue.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <sstream>
#include <vector>

namespace lokahi::receivers {
namespace {

using std::chrono::milliseconds;

// Answers from a script (then 200s), records every body, and can hold posts until released.
class ScriptedPoster final : public JsonPoster {
 public:
  explicit ScriptedPoster(std::vector<PostResult> script = {}) : script_(std::move(script)) {}

  PostResult Post(const std::string& json) override {
    std::unique_lock lock(mutex_);
    bodies_.push_back(json);
    changed_.notify_all();
    changed_.wait_for(lock, std::chrono::seconds(10), [this] { return !held_; });
    if (next_ < script_.size()) return script_[next_++];
    return PostResult{200, "", std::nullopt};
  }

  void Hold() {
    std::lock_guard lock(mutex_);
    held_ = true;
  }
  void Release() {
    {
      std::lock_guard lock(mutex_);
      held_ = false;
    }
    changed_.notify_all();
  }
  bool WaitForPosts(size_t count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(10),
                             [&] { return bodies_.size() >= count; });
  }
  std::vector<std::string> Bodies() {
    std::lock_guard lock(mutex_);
    return bodies_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<PostResult> script_;
  size_t next_ = 0;
  bool held_ = false;
  std::vector<std::string> bodies_;
};

Forward Message(const std::string& json, int transition) {
  return Forward{json, "chk_1", transition, "msg_" + std::to_string(transition)};
}

ForwardQueue::Options FastOptions(size_t capacity = 10, int max_attempts = 5) {
  return {capacity, RetryPolicy{max_attempts, milliseconds(5), milliseconds(20)},
          milliseconds(2000)};
}

class ForwardQueueTest : public ::testing::Test {
 protected:
  std::ostringstream log_;  // read only after the queue's worker has been joined
  logging::Logger logger_{"test", log_};
};

TEST_F(ForwardQueueTest, DeliversInOrder) {
  ScriptedPoster poster;
  ForwardQueue queue(poster, logger_, FastOptions());
  ASSERT_TRUE(queue.TryEnqueue(Message("{\"n\":1}", 1)));
  ASSERT_TRUE(queue.TryEnqueue(Message("{\"n\":2}", 2)));
  ASSERT_TRUE(poster.WaitForPosts(2));
  queue.Shutdown();
  EXPECT_EQ(poster.Bodies(), (std::vector<std::string>{"{\"n\":1}", "{\"n\":2}"}));
  EXPECT_NE(log_.str().find("event=forward_delivered check_id=chk_1 transition_id=2 "
                            "webhook_id=msg_2 attempts=1 status_code=200"),
            std::string::npos)
      << log_.str();
}

TEST_F(ForwardQueueTest, RetriesServerErrorsUntilDelivered) {
  ScriptedPoster poster({{500, "oops", std::nullopt}, {0, "timeout", std::nullopt}});
  ForwardQueue queue(poster, logger_, FastOptions());
  ASSERT_TRUE(queue.TryEnqueue(Message("{}", 7)));
  ASSERT_TRUE(poster.WaitForPosts(3));
  queue.Shutdown();
  EXPECT_EQ(poster.Bodies().size(), 3u);
  const std::string log = log_.str();
  EXPECT_NE(log.find("event=forward_retry check_id=chk_1 transition_id=7 webhook_id=msg_7 "
                     "attempt=1 status_code=500 error=oops retry_in_ms=5"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("attempt=2 status_code=0 error=timeout retry_in_ms=10"), std::string::npos)
      << log;
  EXPECT_NE(log.find("event=forward_delivered check_id=chk_1 transition_id=7 "
                     "webhook_id=msg_7 "
                     "attempts=3"),
            std::string::npos)
      << log;
}

TEST_F(ForwardQueueTest, GivesUpAfterMaxAttemptsAndOnPermanentErrors) {
  ScriptedPoster poster({{500, "a", std::nullopt},
                         {500, "b", std::nullopt},
                         {500, "c", std::nullopt},
                         {404, "Unknown Webhook", std::nullopt}});
  ForwardQueue queue(poster, logger_, FastOptions(10, 3));
  ASSERT_TRUE(queue.TryEnqueue(Message("first", 1)));
  ASSERT_TRUE(queue.TryEnqueue(Message("second", 2)));
  ASSERT_TRUE(poster.WaitForPosts(4));
  queue.Shutdown();
  // Three attempts for the first, one for the 404 of the second, none more.
  EXPECT_EQ(poster.Bodies(), (std::vector<std::string>{"first", "first", "first", "second"}));
  const std::string log = log_.str();
  EXPECT_NE(log.find("event=forward_failed check_id=chk_1 transition_id=1 "
                     "webhook_id=msg_1 "
                     "attempts=3 status_code=500 error=c"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("event=forward_failed check_id=chk_1 transition_id=2 "
                     "webhook_id=msg_2 "
                     "attempts=1 status_code=404 error=\"Unknown Webhook\""),
            std::string::npos)
      << log;
}

TEST_F(ForwardQueueTest, RefusesWhenFull) {
  ScriptedPoster poster;
  poster.Hold();
  ForwardQueue queue(poster, logger_, FastOptions(2));
  ASSERT_TRUE(queue.TryEnqueue(Message("in flight", 1)));
  ASSERT_TRUE(poster.WaitForPosts(1));  // the worker holds it, the queue is empty again
  EXPECT_TRUE(queue.TryEnqueue(Message("queued", 2)));
  EXPECT_TRUE(queue.TryEnqueue(Message("queued", 3)));
  EXPECT_EQ(queue.Depth(), 2u);
  EXPECT_FALSE(queue.TryEnqueue(Message("one too many", 4)));
  poster.Release();
  ASSERT_TRUE(poster.WaitForPosts(3));
  queue.Shutdown();
  EXPECT_FALSE(queue.TryEnqueue(Message("after shutdown", 5)));
}

TEST_F(ForwardQueueTest, ShutdownDrainsWhatIsQueued) {
  ScriptedPoster poster({{503, "busy", std::nullopt}});
  ForwardQueue queue(poster, logger_, FastOptions());
  ASSERT_TRUE(queue.TryEnqueue(Message("a", 1)));
  ASSERT_TRUE(queue.TryEnqueue(Message("b", 2)));
  queue.Shutdown();  // within the 2 s drain: the retry of "a" and "b" both go out
  EXPECT_EQ(poster.Bodies(), (std::vector<std::string>{"a", "a", "b"}));
}

TEST_F(ForwardQueueTest, ShutdownDropsWhatDoesNotFitTheDrainTime) {
  ScriptedPoster poster({{429, "slow down", milliseconds(60'000)}});
  ForwardQueue queue(poster, logger_, {10, RetryPolicy{}, milliseconds(100)});
  ASSERT_TRUE(queue.TryEnqueue(Message("limited", 1)));
  ASSERT_TRUE(poster.WaitForPosts(1));
  const auto started = std::chrono::steady_clock::now();
  queue.Shutdown();  // the minute-long Retry-After is cut short, not waited out
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  EXPECT_EQ(poster.Bodies().size(), 1u);
  EXPECT_NE(log_.str().find("event=forward_dropped check_id=chk_1 transition_id=1 "
                            "webhook_id=msg_1 attempts=1 reason=\"shutdown before the next "
                            "retry\""),
            std::string::npos)
      << log_.str();
}

TEST_F(ForwardQueueTest, ShutdownDropsQueuedMessagesOncePastTheDeadline) {
  ScriptedPoster poster;
  poster.Hold();
  ForwardQueue queue(poster, logger_, {10, RetryPolicy{}, milliseconds(0)});
  ASSERT_TRUE(queue.TryEnqueue(Message("in flight", 1)));
  ASSERT_TRUE(poster.WaitForPosts(1));
  ASSERT_TRUE(queue.TryEnqueue(Message("never sent", 2)));
  std::thread releaser([&] {
    std::this_thread::sleep_for(milliseconds(50));  // let Shutdown set its deadline first
    poster.Release();
  });
  queue.Shutdown();
  releaser.join();
  EXPECT_EQ(poster.Bodies(), (std::vector<std::string>{"in flight"}));
  EXPECT_NE(log_.str().find("event=forward_dropped check_id=chk_1 transition_id=2 "
                            "webhook_id=msg_2 reason=\"shutdown before it was sent\""),
            std::string::npos)
      << log_.str();
}

}  // namespace
}  // namespace lokahi::receivers
