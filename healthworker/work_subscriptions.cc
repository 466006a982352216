#include "healthworker/work_subscriptions.h"

#include "lib/nats/subjects.h"

namespace lokahi::healthworker {

WorkSubscriptions::WorkSubscriptions(nats::Connection& nats, OnBatch on_batch)
    : nats_(nats), on_batch_(std::move(on_batch)) {}

void WorkSubscriptions::Join() {
  std::lock_guard lock(mutex_);
  if (runs_) return;
  runs_ = nats_.Subscribe(
      nats::Subjects::kCheckRun, nats::QueueGroups::kHealthworkers,
      [this](nats::Message&& m) { on_batch_(m.subject, m.data); }, 4096);
}

void WorkSubscriptions::Leave(std::chrono::milliseconds timeout) {
  std::unique_ptr<nats::Subscription> runs;
  {
    std::lock_guard lock(mutex_);
    runs = std::move(runs_);
  }
  if (runs) runs->Drain(timeout);
}

bool WorkSubscriptions::Joined() const {
  std::lock_guard lock(mutex_);
  return runs_ != nullptr;
}

}  // namespace lokahi::healthworker
