#include "healthworker/confirmation_waits.h"

#include <algorithm>

namespace lokahi::healthworker {

std::chrono::milliseconds ConfirmationWaits::Window(const Wait& wait) const {
  return std::chrono::milliseconds(std::max(wait.request.record.timeout_ms, 0)) + margin_;
}

std::optional<uint64_t> ConfirmationWaits::Open(store::ConfirmationRequest&& request,
                                                TimePoint now) {
  if (by_check_.count(request.record.check_id)) return std::nullopt;
  const uint64_t seq = next_seq_++;
  by_check_.emplace(request.record.check_id, seq);
  Wait wait{std::move(request), now, false, std::nullopt};
  wait.deadline = now + Window(wait);
  waits_.emplace(seq, std::move(wait));
  return seq;
}

bool ConfirmationWaits::Accept(uint64_t seq, TimePoint now) {
  const auto it = waits_.find(seq);
  if (it == waits_.end()) return false;
  Wait& wait = it->second;
  if (!wait.accepted) {
    wait.accepted = true;
    wait.deadline = std::max(wait.deadline, now + Window(wait));
  }
  return true;
}

bool ConfirmationWaits::AskAgainLater(uint64_t seq, TimePoint now,
                                      std::chrono::milliseconds after) {
  const auto it = waits_.find(seq);
  if (it == waits_.end() || now + after >= it->second.deadline) return false;
  it->second.ask_again_at = now + after;
  return true;
}

std::vector<std::pair<uint64_t, store::ProbeRecord>> ConfirmationWaits::DueAgain(TimePoint now) {
  std::vector<std::pair<uint64_t, store::ProbeRecord>> out;
  for (auto& [seq, wait] : waits_) {
    if (!wait.ask_again_at || *wait.ask_again_at > now) continue;
    wait.ask_again_at.reset();
    out.emplace_back(seq, wait.request.record);
  }
  return out;
}

std::optional<store::ConfirmationResult> ConfirmationWaits::Close(
    uint64_t seq, store::ConfirmationVerdict verdict) {
  const auto it = waits_.find(seq);
  if (it == waits_.end()) return std::nullopt;
  by_check_.erase(it->second.request.record.check_id);
  store::ConfirmationResult result{std::move(it->second.request), verdict};
  waits_.erase(it);
  return result;
}

std::vector<store::ConfirmationResult> ConfirmationWaits::Expire(TimePoint now) {
  std::vector<store::ConfirmationResult> out;
  for (auto it = waits_.begin(); it != waits_.end();) {
    if (it->second.deadline > now) {
      ++it;
      continue;
    }
    by_check_.erase(it->second.request.record.check_id);
    out.push_back({std::move(it->second.request), store::ConfirmationVerdict::kUnanswered});
    it = waits_.erase(it);
  }
  return out;
}

}  // namespace lokahi::healthworker
