#include "lib/checks/schedule.h"

namespace lokahi::checks {

int64_t SlotPhaseMs(std::string_view check_id, int64_t every_ms) {
  // FNV-1a: stable across builds and machines, unlike std::hash.
  uint64_t hash = 1469598103934665603ULL;
  for (unsigned char c : check_id) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return static_cast<int64_t>(hash % static_cast<uint64_t>(every_ms));
}

int64_t NextSlotAfter(int64_t after_ms, int64_t every_ms, int64_t phase_ms) {
  int64_t offset = (after_ms - phase_ms) % every_ms;
  if (offset < 0) offset += every_ms;
  return after_ms - offset + every_ms;
}

}  // namespace lokahi::checks
