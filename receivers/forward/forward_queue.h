#pragma once
// A bounded queue of chat messages with one worker thread that posts them in order, retrying
// failures by a RetryPolicy. Lets a relay answer lokahi as soon as a message is queued.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "lib/logging/logger.h"
#include "receivers/forward/json_poster.h"
#include "receivers/forward/retry_policy.h"

namespace lokahi::receivers {

// One message to relay, with what the log lines need to name it.
struct Forward {
  std::string json;
  std::string check_id;
  std::int64_t transition_id = 0;
  std::string webhook_id;
};

// Thread-safe. Logs forward_delivered, forward_retry (each failed attempt that will be retried),
// forward_failed (given up) and forward_dropped (abandoned at shutdown).
class ForwardQueue {
 public:
  struct Options {
    std::size_t capacity = 1000;
    RetryPolicy retry;
    // How long Shutdown lets the worker keep delivering (retries included) before dropping the
    // rest. A post already under way still runs to its own timeout.
    std::chrono::milliseconds drain_timeout{5000};
  };

  // Starts the worker. `poster` and `logger` must outlive the queue.
  ForwardQueue(JsonPoster& poster, logging::Logger& logger, Options options);
  ~ForwardQueue();  // Shutdown()
  ForwardQueue(const ForwardQueue&) = delete;
  ForwardQueue& operator=(const ForwardQueue&) = delete;

  // False, leaving `forward` unqueued, when the queue is full or shutting down.
  bool TryEnqueue(Forward forward);

  // Stops accepting, lets the worker drain for up to drain_timeout, then joins it. Idempotent.
  void Shutdown();

  // Messages waiting, not counting the one being posted.
  std::size_t Depth() const;

 private:
  void Work();
  void Deliver(const Forward& forward);
  // Waits `delay` before a retry; false when shutdown's drain deadline comes first.
  bool WaitToRetry(std::chrono::milliseconds delay);

  JsonPoster& poster_;
  logging::Logger& logger_;
  const Options options_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Forward> pending_;                           // guarded by mutex_
  bool stopping_ = false;                                 // guarded by mutex_
  std::chrono::steady_clock::time_point drain_deadline_;  // guarded by mutex_
  std::thread worker_;
};

}  // namespace lokahi::receivers
