#include "receivers/forward/forward_queue.h"

namespace lokahi::receivers {

ForwardQueue::ForwardQueue(JsonPoster& poster, logging::Logger& logger, Options options)
    : poster_(poster), logger_(logger), options_(std::move(options)) {
  worker_ = std::thread([this] { Work(); });
}

ForwardQueue::~ForwardQueue() { Shutdown(); }

bool ForwardQueue::TryEnqueue(Forward forward) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || pending_.size() >= options_.capacity) return false;
    pending_.push_back(std::move(forward));
  }
  wake_.notify_all();
  return true;
}

void ForwardQueue::Shutdown() {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      stopping_ = true;
      drain_deadline_ = std::chrono::steady_clock::now() + options_.drain_timeout;
    }
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
}

std::size_t ForwardQueue::Depth() const {
  std::lock_guard lock(mutex_);
  return pending_.size();
}

void ForwardQueue::Work() {
  while (true) {
    Forward forward;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
      if (pending_.empty()) return;  // stopping, nothing left
      if (stopping_ && std::chrono::steady_clock::now() >= drain_deadline_) {
        for (const Forward& dropped : pending_) {
          logger_.Warn("forward_dropped", {{"check_id", dropped.check_id},
                                           {"transition_id", dropped.transition_id},
                                           {"webhook_id", dropped.webhook_id},
                                           {"reason", "shutdown before it was sent"}});
        }
        pending_.clear();
        return;
      }
      forward = std::move(pending_.front());
      pending_.pop_front();
    }
    Deliver(forward);
  }
}

void ForwardQueue::Deliver(const Forward& forward) {
  for (int attempt = 1;; ++attempt) {
    const PostResult result = poster_.Post(forward.json);
    if (result.Delivered()) {
      logger_.Info("forward_delivered", {{"check_id", forward.check_id},
                                         {"transition_id", forward.transition_id},
                                         {"webhook_id", forward.webhook_id},
                                         {"attempts", attempt},
                                         {"status_code", result.status_code}});
      return;
    }
    const auto delay = options_.retry.NextDelay(attempt, result);
    if (!delay) {
      logger_.Error("forward_failed", {{"check_id", forward.check_id},
                                       {"transition_id", forward.transition_id},
                                       {"webhook_id", forward.webhook_id},
                                       {"attempts", attempt},
                                       {"status_code", result.status_code},
                                       {"error", result.error}});
      return;
    }
    logger_.Warn("forward_retry", {{"check_id", forward.check_id},
                                   {"transition_id", forward.transition_id},
                                   {"webhook_id", forward.webhook_id},
                                   {"attempt", attempt},
                                   {"status_code", result.status_code},
                                   {"error", result.error},
                                   {"retry_in_ms", delay->count()}});
    if (!WaitToRetry(*delay)) {
      logger_.Warn("forward_dropped", {{"check_id", forward.check_id},
                                       {"transition_id", forward.transition_id},
                                       {"webhook_id", forward.webhook_id},
                                       {"attempts", attempt},
                                       {"reason", "shutdown before the next retry"}});
      return;
    }
  }
}

bool ForwardQueue::WaitToRetry(std::chrono::milliseconds delay) {
  const auto wake_at = std::chrono::steady_clock::now() + delay;
  std::unique_lock lock(mutex_);
  const bool cut_short =
      wake_.wait_until(lock, wake_at, [&] { return stopping_ && wake_at > drain_deadline_; });
  return !cut_short;
}

}  // namespace lokahi::receivers
