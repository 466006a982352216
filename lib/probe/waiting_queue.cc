#include "lib/probe/waiting_queue.h"

namespace lokahi::probe {

void WaitingQueue::Push(ProbeRequest request, SteadyTime now) {
  waiting_.push_back({std::move(request), now});
}

void WaitingQueue::DropExpired(WallTime now, std::vector<ProbeRequest>& expired) {
  while (!waiting_.empty() && Expired(waiting_.front().request, now)) {
    expired.push_back(std::move(waiting_.front().request));
    waiting_.pop_front();
  }
}

std::optional<ProbeRequest> WaitingQueue::Pop(SteadyTime steady_now, WallTime now,
                                              std::vector<ProbeRequest>& expired) {
  while (true) {
    DropExpired(now, expired);
    if (waiting_.empty()) return std::nullopt;
    const Waiting& oldest = waiting_.front();
    const bool newest_first =
        oldest.request.start_by && steady_now - oldest.queued_at > newest_first_after_;
    Waiting next = std::move(newest_first ? waiting_.back() : waiting_.front());
    if (newest_first) {
      waiting_.pop_back();
    } else {
      waiting_.pop_front();
    }
    // The newest end can hold an expired request too (a shorter start-by than the oldest's).
    if (!Expired(next.request, now)) return std::move(next.request);
    expired.push_back(std::move(next.request));
  }
}

std::vector<ProbeRequest> WaitingQueue::TakeAll() {
  std::vector<ProbeRequest> all;
  all.reserve(waiting_.size());
  for (Waiting& waiting : waiting_) all.push_back(std::move(waiting.request));
  waiting_.clear();
  return all;
}

}  // namespace lokahi::probe
