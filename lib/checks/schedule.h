#pragma once
// When a check is due. A check with interval `every` runs at instants t with
// t ≡ phase (mod every), where the phase comes from a hash of its id: checks with the same interval
// spread evenly across it instead of all landing at :00, and every replica computes the same slots.

#include <cstdint>
#include <string_view>

namespace lokahi::checks {

// Phase in [0, every_ms), stable for an id.
int64_t SlotPhaseMs(std::string_view check_id, int64_t every_ms);

// The first slot strictly after `after_ms` (Unix milliseconds).
int64_t NextSlotAfter(int64_t after_ms, int64_t every_ms, int64_t phase_ms);

}  // namespace lokahi::checks
