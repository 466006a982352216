#include "lokahid/slot_queue.h"

#include <cstring>
#include <stdexcept>

#include "lib/checks/schedule.h"

namespace lokahi::lokahid {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool ParseKey(const std::string& id, SlotQueue::Key& key) {
  if (id.size() != 36) return false;
  size_t out = 0;
  for (size_t i = 0; i < id.size();) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (id[i] != '-') return false;
      ++i;
      continue;
    }
    const int high = HexValue(id[i]), low = HexValue(id[i + 1]);
    if (high < 0 || low < 0) return false;
    key[out++] = static_cast<uint8_t>(high << 4 | low);
    i += 2;
  }
  return true;
}

std::string FormatKey(const SlotQueue::Key& key) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  id.reserve(36);
  for (size_t i = 0; i < key.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) id.push_back('-');
    id.push_back(kHex[key[i] >> 4]);
    id.push_back(kHex[key[i] & 0xf]);
  }
  return id;
}

SlotQueue::Key KeyOrThrow(const std::string& id) {
  SlotQueue::Key key{};
  if (!ParseKey(id, key)) throw std::invalid_argument("check id is not a UUID: \"" + id + "\"");
  return key;
}

}  // namespace

size_t SlotQueue::KeyHash::operator()(const Key& key) const noexcept {
  // UUIDs (v4 random, or time-based with a random tail) are already well mixed.
  uint64_t high = 0, low = 0;
  std::memcpy(&high, key.data(), 8);
  std::memcpy(&low, key.data() + 8, 8);
  return static_cast<size_t>(high ^ (low * 0x9e3779b97f4a7c15ULL));
}

void SlotQueue::Upsert(ScheduledCheck check, int64_t first_due_ms) {
  const Key key = KeyOrThrow(check.id);
  auto [it, inserted] = index_.try_emplace(key, 0);
  if (inserted) {
    if (free_entries_.empty()) {
      it->second = static_cast<uint32_t>(entries_.size());
      entries_.emplace_back();
    } else {
      it->second = free_entries_.back();
      free_entries_.pop_back();
    }
  }
  Entry& entry = entries_[it->second];
  entry.key = key;
  Assign(entry, std::move(check));
  Schedule(it->second, first_due_ms);
  CompactIfMostlyDead();
}

bool SlotQueue::Edit(ScheduledCheck check, int64_t now_ms) {
  const auto index = IndexOf(check.id);
  if (!index) return false;
  Entry& entry = entries_[*index];
  const int64_t latest_due = now_ms + int64_t{check.every_seconds} * 1000;
  Assign(entry, std::move(check));
  // A kept slot stays in the heap as it is: frequent edits do not grow the heap.
  if (latest_due < entry.due_ms) {
    Schedule(*index, latest_due);
    CompactIfMostlyDead();
  }
  return true;
}

void SlotQueue::Assign(Entry& entry, ScheduledCheck&& check) {
  entry.url = std::move(check.url);
  entry.timeout_ms = check.timeout_ms;
  entry.expected_status = check.expected_status;
  entry.every_seconds = check.every_seconds;
  entry.probe_spec = std::move(check.probe_spec);
  entry.version = check.version;
  entry.phase_ms = checks::SlotPhaseMs(check.id, int64_t{check.every_seconds} * 1000);
}

void SlotQueue::Schedule(uint32_t index, int64_t due_ms) {
  Entry& entry = entries_[index];
  ++entry.generation;  // the slot it had, if any, is dropped when it comes up
  entry.due_ms = due_ms;
  heap_.push({due_ms, index, entry.generation});
}

void SlotQueue::Remove(const std::string& id) {
  Key key{};
  if (!ParseKey(id, key)) return;
  const auto it = index_.find(key);
  if (it == index_.end()) return;
  Entry& entry = entries_[it->second];
  ++entry.generation;  // its slots still in the heap are dropped when they come up
  entry.url = std::string();
  free_entries_.push_back(it->second);
  index_.erase(it);
  CompactIfMostlyDead();
}

void SlotQueue::CompactIfMostlyDead() {
  // The slack keeps a small queue from rebuilding on every other replacement.
  constexpr size_t kSlack = 1024;
  if (heap_.size() <= 2 * index_.size() + kSlack) return;
  std::vector<Slot> live;
  live.reserve(index_.size());
  for (const auto& [key, index] : index_) {
    const Entry& entry = entries_[index];
    live.push_back({entry.due_ms, index, entry.generation});
  }
  heap_ = decltype(heap_)(std::greater<Slot>(), std::move(live));
}

std::optional<uint32_t> SlotQueue::IndexOf(const std::string& id) const {
  Key key{};
  if (!ParseKey(id, key)) return std::nullopt;
  const auto it = index_.find(key);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

int64_t SlotQueue::Version(const std::string& id) const {
  const auto index = IndexOf(id);
  return index ? entries_[*index].version : -1;
}

int64_t SlotQueue::NextDue(const std::string& id) const {
  const auto index = IndexOf(id);
  return index ? entries_[*index].due_ms : -1;
}

void SlotQueue::PopDue(int64_t now_ms, std::vector<DueCheck>& out, int64_t& skipped) {
  while (!heap_.empty() && heap_.top().due_ms <= now_ms) {
    const Slot slot = heap_.top();
    heap_.pop();
    Entry& entry = entries_[slot.entry];
    if (entry.generation != slot.generation) continue;  // replaced or removed since
    const int64_t every_ms = int64_t{entry.every_seconds} * 1000;
    int64_t due = slot.due_ms;
    if (now_ms - due >= every_ms) {
      // Jump to the latest slot not after now; everything between is skipped.
      const int64_t latest = checks::NextSlotAfter(now_ms - every_ms, every_ms, entry.phase_ms);
      skipped += (latest - due) / every_ms;
      due = latest;
    }
    out.push_back({{FormatKey(entry.key), entry.url, entry.timeout_ms, entry.expected_status,
                    entry.every_seconds, entry.version, entry.probe_spec},
                   due});
    Schedule(slot.entry, checks::NextSlotAfter(due, every_ms, entry.phase_ms));
  }
}

void SlotQueue::Clear() {
  heap_ = {};
  index_.clear();
  entries_.clear();
  free_entries_.clear();
}

}  // namespace lokahi::lokahid
