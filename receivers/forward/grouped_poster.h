#pragma once
// Posting notifications to one chat webhook in groups, at the pace the chat service allows.
//
// Chat services rate-limit each webhook (Discord: a few posts per second and about 30 a minute per
// channel; Slack: about one a second), so a storm of 10,000 notifications posted one by one would
// mostly be refused. The poster collects what arrives within a short window into one message and
// never posts while the chat service has said it would refuse (429 with Retry-After, or Discord's
// X-RateLimit-Remaining: 0 with X-RateLimit-Reset-After).
//
// Nothing is acknowledged before the chat service accepted it: each caller of Post() waits for the
// outcome of the message that carries its notification, and a notification that cannot go out in
// time is handed back (kBusy), so the sender (lokahi's outbox) keeps it and retries. Memory is
// bounded by `max_held` notifications; beyond it Post() answers kBusy at once.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>

#include "lib/logging/logger.h"
#include "receivers/core/notification.h"
#include "receivers/forward/json_poster.h"

namespace lokahi::receivers {

struct GroupingOptions {
  // A group is posted this long after its first notification arrived (or at once when full).
  std::chrono::milliseconds window{1000};
  // How long a notification may wait, beyond the window, for its group's post to start (the
  // previous post, or the chat service's rate limit, may hold it).
  std::chrono::milliseconds busy_wait{3000};
  // Most notifications held at once, waiting or being posted; also the largest group.
  std::size_t max_held = 256;
};

// What became of one notification.
struct GroupedOutcome {
  enum class Kind {
    kPosted,   // in a message the chat service accepted
    kRefused,  // in a message the chat service refused (error or no answer): `post` says why
    kBusy,     // not posted: held past its wait, or `max_held` were held already
  };
  Kind kind = Kind::kBusy;
  PostResult post;  // the post that carried it (kPosted, kRefused)
  // kBusy, and kRefused with a rate limit: when the chat service will take posts again.
  std::optional<std::chrono::milliseconds> retry_after;
  std::size_t group_size = 0;  // notifications in the message that carried it
};

// Thread-safe. Owns one posting thread; `poster` and `format` are used only on it.
class GroupedPoster {
 public:
  // Turns a group (in arrival order, never empty) into the chat service's request body.
  using Formatter = std::function<std::string(std::span<const Notification>)>;

  // `poster` and `logger` must outlive this. Each post the chat service asks to wait for is logged
  // (`forward_rate_limited`): the notifications in it stay held and go out afterwards.
  GroupedPoster(JsonPoster& poster, Formatter format, GroupingOptions options,
                logging::Logger& logger);
  // Waits for the post under way, answers what is still held kBusy, joins the thread. Callers of
  // Post() must have returned (stop the HTTP server first).
  ~GroupedPoster();
  GroupedPoster(const GroupedPoster&) = delete;
  GroupedPoster& operator=(const GroupedPoster&) = delete;

  // Blocks until the notification's message was answered, or it is handed back (kBusy).
  GroupedOutcome Post(Notification notification);

 private:
  struct Held;
  using Clock = std::chrono::steady_clock;

  void Run();
  // Hands back (kBusy) the waiting notifications whose wait ends before `until`.
  void HandBackWaitingUntil(Clock::time_point until, Clock::time_point now);
  std::optional<std::chrono::milliseconds> RateLimitLeft(Clock::time_point now) const;

  JsonPoster& poster_;
  Formatter format_;
  const GroupingOptions options_;
  logging::Logger& logger_;

  std::mutex mutex_;
  std::condition_variable work_;      // the posting thread waits on it
  std::condition_variable answered_;  // callers of Post() wait on it
  std::list<Held*> waiting_;          // arrival order, not yet in a post; guarded by mutex_
  std::size_t held_ = 0;              // waiting_ plus the post under way; guarded by mutex_
  Clock::time_point not_before_;      // the chat service's rate limit; guarded by mutex_
  bool stopping_ = false;             // guarded by mutex_
  std::thread thread_;                // last: starts once the members above exist
};

}  // namespace lokahi::receivers
