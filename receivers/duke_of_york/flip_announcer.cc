#include "receivers/duke_of_york/flip_announcer.h"

namespace lokahi::receivers {

FlipAnnouncer::FlipAnnouncer(const DukeSchedule& schedule, logging::Logger& logger)
    : schedule_(schedule), logger_(logger) {
  thread_ = std::thread([this] { Run(); });
}

FlipAnnouncer::~FlipAnnouncer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void FlipAnnouncer::Run() {
  std::int64_t announced = 0;
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    const DukePhase phase = schedule_.Now();
    if (phase.flips != announced) {
      announced = phase.flips;
      logger_.Info("flip", {{"state", phase.up ? "up" : "down"}, {"flips", phase.flips}});
    }
    // A millisecond past the flip, so the schedule is read on the new side of it.
    wake_.wait_for(lock, phase.until_next_flip + std::chrono::milliseconds(1),
                   [this] { return stopping_; });
  }
}

}  // namespace lokahi::receivers
