#pragma once
// Logs each flip of a DukeSchedule as it happens (event=flip state=down flips=1), from a thread
// of its own, so the log shows the flips even when nobody is probing.

#include <condition_variable>
#include <mutex>
#include <thread>

#include "lib/logging/logger.h"
#include "receivers/core/duke_schedule.h"

namespace lokahi::receivers {

class FlipAnnouncer {
 public:
  // Starts the thread. `schedule` and `logger` must outlive the announcer.
  FlipAnnouncer(const DukeSchedule& schedule, logging::Logger& logger);
  ~FlipAnnouncer();  // stops and joins the thread
  FlipAnnouncer(const FlipAnnouncer&) = delete;
  FlipAnnouncer& operator=(const FlipAnnouncer&) = delete;

 private:
  void Run();

  const DukeSchedule& schedule_;
  logging::Logger& logger_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace lokahi::receivers
