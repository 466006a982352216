#pragma once
// The prober's queue of requests waiting for an in-flight slot, and the order they start in.
//
// Oldest first while the queue keeps up. Once the oldest has waited longer than
// `newest_first_after` (the machine is overloaded: probes arrive faster than they finish), the
// newest starts first: a probe started on time says what a target does now, one started seconds
// late says what it did then. The backlog is not lost track of: requests whose start-by passes
// while they wait are handed back as expired (the caller counts them as skipped slots), so the
// queue holds at most a start-by's worth of arrivals. A request without a start-by (an operator's
// on-demand run) never expires and is not passed over for long: at the oldest end it goes first.
//
// Not thread-safe: the prober thread owns it.

#include <chrono>
#include <deque>
#include <optional>
#include <vector>

#include "lib/probe/prober.h"

namespace lokahi::probe {

class WaitingQueue {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;
  using WallTime = std::chrono::system_clock::time_point;

  explicit WaitingQueue(std::chrono::milliseconds newest_first_after)
      : newest_first_after_(newest_first_after) {}

  void Push(ProbeRequest request, SteadyTime now);
  // Moves every request whose start-by is before `now` off the oldest end into `expired`.
  void DropExpired(WallTime now, std::vector<ProbeRequest>& expired);
  // The request to start next (nullopt when none is waiting); expired ones met on the way go to
  // `expired`.
  std::optional<ProbeRequest> Pop(SteadyTime steady_now, WallTime now,
                                  std::vector<ProbeRequest>& expired);
  // Empties the queue, oldest first.
  std::vector<ProbeRequest> TakeAll();

  size_t size() const { return waiting_.size(); }
  bool empty() const { return waiting_.empty(); }

 private:
  struct Waiting {
    ProbeRequest request;
    SteadyTime queued_at;
  };
  static bool Expired(const ProbeRequest& request, WallTime now) {
    return request.start_by && now > *request.start_by;
  }

  const std::chrono::milliseconds newest_first_after_;
  std::deque<Waiting> waiting_;  // in arrival order
};

}  // namespace lokahi::probe
