#pragma once
// Which checks are due when. Pure: the caller passes the time. Not thread-safe (one scheduler
// thread owns it).
//
// Sized for millions of checks: a check costs about 200 bytes here (its id kept as 16 bytes, one
// 16-byte heap slot), so lokahid's memory follows the number of checks, not their history.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

namespace lokahi::lokahid {

struct ScheduledCheck {
  std::string id;  // canonical UUID text, as Postgres prints it
  std::string url;
  int timeout_ms = 0;
  int expected_status = 0;
  int every_seconds = 60;
  int64_t version = 0;
  // A serialized internal CheckSpec holding only the request fields (20-39), merged into the
  // dispatched spec; null for lokahi's plain GET, so most entries pay one pointer for it.
  std::shared_ptr<const std::string> probe_spec;
};

struct DueCheck {
  ScheduledCheck check;
  int64_t due_ms = 0;
};

class SlotQueue {
 public:
  // Adds or replaces a check; its next slot is `first_due_ms`, later ones follow its phase.
  // Throws std::invalid_argument when the id is not a UUID.
  void Upsert(ScheduledCheck check, int64_t first_due_ms);
  // Replaces a queued check's options without postponing its probe: it keeps its next slot,
  // unless now_ms + its new interval comes sooner (the interval shrank), which then becomes its
  // next slot. Returns false, changing nothing, when the check is not queued.
  bool Edit(ScheduledCheck check, int64_t now_ms);
  void Remove(const std::string& id);
  // Version of a queued check, or -1 when absent.
  int64_t Version(const std::string& id) const;
  // When a queued check's next slot is due, or -1 when absent.
  int64_t NextDue(const std::string& id) const;
  // Appends every slot due at or before `now_ms` to `out` and schedules each check's next slot.
  // A check more than one interval behind gets only its latest slot; the slots it missed are
  // added to `skipped` (they would be stale before any worker reached them).
  void PopDue(int64_t now_ms, std::vector<DueCheck>& out, int64_t& skipped);
  size_t size() const { return index_.size(); }
  // Slots held in the heap, live or replaced: what the queue's memory follows. Stays within
  // twice the checks (plus a little), however often checks are replaced or removed.
  size_t heap_slots() const { return heap_.size(); }
  void Clear();

  using Key = std::array<uint8_t, 16>;

 private:
  struct KeyHash {
    size_t operator()(const Key& key) const noexcept;
  };
  struct Entry {
    Key key{};
    std::string url;
    int32_t timeout_ms = 0;
    int32_t expected_status = 0;
    int32_t every_seconds = 0;
    std::shared_ptr<const std::string> probe_spec;
    // Bumped whenever the entry's slot is replaced or the entry is freed; a heap slot carrying
    // an older generation is dropped when it comes up (removal is lazy). Never reset, so a slot
    // of a freed entry cannot match the check that reuses its place.
    uint32_t generation = 0;
    int64_t version = 0;
    int64_t phase_ms = 0;
    int64_t due_ms = 0;  // of its one live heap slot
  };
  struct Slot {
    int64_t due_ms;
    uint32_t entry;
    uint32_t generation;
    bool operator>(const Slot& other) const { return due_ms > other.due_ms; }
  };
  std::optional<uint32_t> IndexOf(const std::string& id) const;
  static void Assign(Entry& entry, ScheduledCheck&& check);
  void Schedule(uint32_t index, int64_t due_ms);
  // Removal is lazy: a replaced or removed check's slot stays in the heap until it comes up,
  // which for a daily check is a day. Once dead slots outnumber the live ones the heap is rebuilt
  // from the live slots alone, O(checks) for at least as many replacements.
  void CompactIfMostlyDead();

  std::vector<Entry> entries_;
  std::vector<uint32_t> free_entries_;
  std::unordered_map<Key, uint32_t, KeyHash> index_;
  std::priority_queue<Slot, std::vector<Slot>, std::greater<Slot>> heap_;
};

}  // namespace lokahi::lokahid
