#pragma once
// Runs `round` at once and then every `period` on a thread of its own, until stopped: the
// background upkeep a daemon does beside its main work (health following, table compaction).

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace lokahi::daemon {

class PeriodicTask {
 public:
  PeriodicTask(std::chrono::milliseconds period, std::function<void()> round);
  // No round starts after this returns; one in progress runs to its end. Does not wait for it.
  void Stop();
  // Stops and waits for a round in progress.
  ~PeriodicTask();
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

 private:
  void Loop();

  const std::chrono::milliseconds period_;
  const std::function<void()> round_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace lokahi::daemon
