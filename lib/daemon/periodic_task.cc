#include "lib/daemon/periodic_task.h"

namespace lokahi::daemon {

PeriodicTask::PeriodicTask(std::chrono::milliseconds period, std::function<void()> round)
    : period_(period), round_(std::move(round)) {
  thread_ = std::thread([this] { Loop(); });
}

void PeriodicTask::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
}

PeriodicTask::~PeriodicTask() {
  Stop();
  thread_.join();
}

void PeriodicTask::Loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    round_();
    lock.lock();
    wake_.wait_for(lock, period_, [this] { return stopping_; });
  }
}

}  // namespace lokahi::daemon
