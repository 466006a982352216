#pragma once
// The subscriptions through which a healthworker takes scheduled work. It
// leaves them while its own network path is impaired (NATS then gives every
// batch to the other members of the queue group, so no slot waits for it) and
// joins again once the path recovers.
//
// Thread-safety: every method may be called from any thread.

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "lib/nats/nats_client.h"

namespace lokahi::healthworker {

class WorkSubscriptions {
 public:
  // `on_batch(subject, payload)` handles each check.run message.
  using OnBatch = std::function<void(const std::string& subject, const std::string& payload)>;

  WorkSubscriptions(nats::Connection& nats, OnBatch on_batch);
  // Subscribes when not subscribed; idempotent.
  void Join();
  // Unsubscribes, handing what was already received to `on_batch` first (up to
  // `timeout`).
  void Leave(std::chrono::milliseconds timeout);
  bool Joined() const;

 private:
  nats::Connection& nats_;
  OnBatch on_batch_;
  mutable std::mutex mutex_;
  std::unique_ptr<nats::Subscription> runs_;  // guarded by mutex_
};

}  // namespace lokahi::healthworker
