#include "receivers/forward/grouped_poster.h"

#include <algorithm>
#include <exception>
#include <vector>

namespace lokahi::receivers {
namespace {

// A 429 without a readable Retry-After still means "not now".
constexpr std::chrono::milliseconds kDefaultRateLimitWait{1000};

std::optional<std::chrono::milliseconds> WaitAskedFor(const PostResult& result) {
  if (result.Delivered()) return std::nullopt;
  if (result.retry_after) return result.retry_after;
  if (result.status_code == 429) return kDefaultRateLimitWait;
  return std::nullopt;
}

}  // namespace

// One notification a caller of Post() waits with; lives on that caller's stack.
struct GroupedPoster::Held {
  Notification notification;
  Clock::time_point arrived;
  Clock::time_point deadline;  // its group's post must start by then
  bool posting = false;        // in the post under way: the caller waits for its outcome
  std::optional<GroupedOutcome> outcome;
};

GroupedPoster::GroupedPoster(JsonPoster& poster, Formatter format, GroupingOptions options,
                             logging::Logger& logger)
    : poster_(poster),
      format_(std::move(format)),
      options_(options),
      logger_(logger),
      thread_([this] { Run(); }) {}

GroupedPoster::~GroupedPoster() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_.notify_all();
  thread_.join();
}

std::optional<std::chrono::milliseconds> GroupedPoster::RateLimitLeft(Clock::time_point now) const {
  if (now >= not_before_) return std::nullopt;
  return std::chrono::ceil<std::chrono::milliseconds>(not_before_ - now);
}

GroupedOutcome GroupedPoster::Post(Notification notification) {
  std::unique_lock lock(mutex_);
  const auto now = Clock::now();
  if (stopping_ || held_ >= options_.max_held) {
    return GroupedOutcome{GroupedOutcome::Kind::kBusy, {}, RateLimitLeft(now), 0};
  }
  Held held{std::move(notification), now, now + options_.window + options_.busy_wait, false,
            std::nullopt};
  waiting_.push_back(&held);
  ++held_;
  work_.notify_all();
  while (!held.outcome) {
    if (held.posting) {
      answered_.wait(lock);
      continue;
    }
    if (Clock::now() >= held.deadline) {
      waiting_.remove(&held);
      --held_;
      return GroupedOutcome{GroupedOutcome::Kind::kBusy, {}, RateLimitLeft(Clock::now()), 0};
    }
    answered_.wait_until(lock, held.deadline);
  }
  return *held.outcome;
}

void GroupedPoster::HandBackWaitingUntil(Clock::time_point until, Clock::time_point now) {
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    if ((*it)->deadline >= until) {
      ++it;
      continue;
    }
    (*it)->outcome = GroupedOutcome{GroupedOutcome::Kind::kBusy, {}, RateLimitLeft(now), 0};
    --held_;
    it = waiting_.erase(it);
  }
  answered_.notify_all();
}

void GroupedPoster::Run() {
  std::unique_lock lock(mutex_);
  while (true) {
    work_.wait(lock, [&] { return stopping_ || !waiting_.empty(); });
    if (stopping_) break;
    // Gather what arrives within the window of the oldest waiting notification.
    const auto window_end = waiting_.front()->arrived + options_.window;
    if (work_.wait_until(lock, window_end, [&] {
          return stopping_ || waiting_.empty() || waiting_.size() >= options_.max_held;
        })) {
      if (stopping_) break;
      if (waiting_.empty()) continue;
    }
    // Never post while the chat service would refuse. Whoever cannot wait that long is handed back
    // now, with the time to come back, rather than at the end of its wait.
    if (const auto now = Clock::now(); now < not_before_) {
      HandBackWaitingUntil(not_before_, now);
      work_.wait_until(lock, not_before_, [&] { return stopping_; });
      continue;
    }

    std::vector<Held*> group(waiting_.begin(), waiting_.end());
    waiting_.clear();
    std::vector<Notification> notifications;
    notifications.reserve(group.size());
    for (Held* held : group) {
      held->posting = true;
      notifications.push_back(held->notification);
    }
    lock.unlock();
    PostResult result;
    try {
      result = poster_.Post(format_(notifications));
    } catch (const std::exception& error) {
      result.error = std::string("formatting or posting failed: ") + error.what();
    }
    lock.lock();

    const auto now = Clock::now();
    if (result.pause) not_before_ = std::max(not_before_, now + *result.pause);
    if (const auto wait = WaitAskedFor(result)) {
      not_before_ = std::max(not_before_, now + *wait);
      logger_.Warn("forward_rate_limited", {{"group_size", group.size()},
                                            {"status_code", result.status_code},
                                            {"error", result.error},
                                            {"retry_after_ms", wait->count()}});
      // Back to the front in their order; each still hands itself back when its wait ends.
      for (auto it = group.rbegin(); it != group.rend(); ++it) {
        (*it)->posting = false;
        waiting_.push_front(*it);
      }
      answered_.notify_all();
      continue;
    }
    const GroupedOutcome outcome{
        result.Delivered() ? GroupedOutcome::Kind::kPosted : GroupedOutcome::Kind::kRefused, result,
        std::nullopt, group.size()};
    for (Held* held : group) held->outcome = outcome;
    held_ -= group.size();
    answered_.notify_all();
  }
  // Callers have returned when the destructor runs; any left are handed back, never dropped.
  HandBackWaitingUntil(Clock::time_point::max(), Clock::now());
}

}  // namespace lokahi::receivers
