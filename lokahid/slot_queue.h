#pragma once
// Which checks are due when. Pure: the caller passes the time. Not thread-safe (one scheduler
// thread owns it).

#include <cstdint>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

namespace lokahi::lokahid {

struct ScheduledCheck {
  std::string id;
  std::string url;
  int timeout_ms = 0;
  int expected_status = 0;
  int every_seconds = 60;
  int64_t version = 0;
};

struct DueCheck {
  ScheduledCheck check;
  int64_t due_ms = 0;
};

class SlotQueue {
 public:
  // Adds or replaces a check; its next slot is `first_due_ms`, later ones follow its phase.
  void Upsert(ScheduledCheck check, int64_t first_due_ms);
  void Remove(const std::string& id);
  // Version of a queued check, or -1 when absent.
  int64_t Version(const std::string& id) const;
  // Appends every slot due at or before `now_ms` to `out` and schedules each check's next slot.
  // A check more than one interval behind gets only its latest slot; the slots it missed are
  // added to `skipped` (they would be stale before any worker reached them).
  void PopDue(int64_t now_ms, std::vector<DueCheck>& out, int64_t& skipped);
  size_t size() const { return checks_.size(); }
  void Clear();

 private:
  struct Entry {
    ScheduledCheck check;
    uint64_t generation = 0;
    int64_t phase_ms = 0;
  };
  struct Slot {
    int64_t due_ms;
    uint64_t generation;
    std::string id;  // by value: removal is lazy, a slot may outlive its entry
    bool operator>(const Slot& other) const { return due_ms > other.due_ms; }
  };
  std::unordered_map<std::string, Entry> checks_;
  std::priority_queue<Slot, std::vector<Slot>, std::greater<Slot>> heap_;
  uint64_t next_generation_ = 1;
};

}  // namespace lokahi::lokahid
