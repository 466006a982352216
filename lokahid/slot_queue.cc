#include "lokahid/slot_queue.h"

#include "lib/checks/schedule.h"

namespace lokahi::lokahid {

void SlotQueue::Upsert(ScheduledCheck check, int64_t first_due_ms) {
  const int64_t every_ms = int64_t{check.every_seconds} * 1000;
  auto [it, inserted] = checks_.try_emplace(check.id);
  Entry& entry = it->second;
  entry.phase_ms = checks::SlotPhaseMs(check.id, every_ms);
  entry.check = std::move(check);
  entry.generation = next_generation_++;
  heap_.push({first_due_ms, entry.generation, it->first});
}

void SlotQueue::Remove(const std::string& id) {
  // Its slots stay in the heap and are dropped when they come up (no entry).
  checks_.erase(id);
}

int64_t SlotQueue::Version(const std::string& id) const {
  const auto it = checks_.find(id);
  return it == checks_.end() ? -1 : it->second.check.version;
}

void SlotQueue::PopDue(int64_t now_ms, std::vector<DueCheck>& out, int64_t& skipped) {
  while (!heap_.empty() && heap_.top().due_ms <= now_ms) {
    Slot slot = heap_.top();
    heap_.pop();
    const auto it = checks_.find(slot.id);
    if (it == checks_.end() || it->second.generation != slot.generation) continue;  // replaced
    Entry& entry = it->second;
    const int64_t every_ms = int64_t{entry.check.every_seconds} * 1000;
    int64_t due = slot.due_ms;
    if (now_ms - due >= every_ms) {
      // Jump to the latest slot not after now; everything between is skipped.
      const int64_t latest = checks::NextSlotAfter(now_ms - every_ms, every_ms, entry.phase_ms);
      skipped += (latest - due) / every_ms;
      due = latest;
    }
    out.push_back({entry.check, due});
    entry.generation = next_generation_++;
    heap_.push({checks::NextSlotAfter(due, every_ms, entry.phase_ms), entry.generation,
                std::move(slot.id)});
  }
}

void SlotQueue::Clear() {
  heap_ = {};
  checks_.clear();
}

}  // namespace lokahi::lokahid
