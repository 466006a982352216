#pragma once
// purple's `raise` field and the times and durations around it, resolved against the receiving
// daemon's clock: "now", "clear", "+N" with a unit s|m|h|d ("+5m"), or a Unix time in seconds.
// Relative times resolve when received, so a heartbeat resending "+5m" pushes its raise time
// forward each time.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "lib/alerts/alert.h"

namespace lokahi::alerts {

// The longest relative time or duration accepted: ten years.
inline constexpr std::chrono::seconds kMaxRelative = std::chrono::hours(24 * 3650);
// Unix times past 9999-12-31 are refused (they cannot be stored nor shown).
inline constexpr long long kMaxUnixSeconds = 253402300799LL;

struct ClearNow {
  friend bool operator==(const ClearNow&, const ClearNow&) = default;
};
// Either the time the alert raises (now or a Unix time may lie in the past: it raises at once) or
// a clear.
using RaiseSpec = std::variant<Timestamp, ClearNow>;

// On failure returns nullopt and sets `why` to what is allowed (without quoting the input; callers
// quote it bounded).
std::optional<RaiseSpec> ParseRaise(std::string_view text, Timestamp now, std::string* why);

// "+N" with unit s|m|h|d, or a Unix time: the forms of `raise` that name a time.
std::optional<Timestamp> ParseWhen(std::string_view text, Timestamp now, std::string* why);

// "90s", "5m", "2h", "1d", or plain seconds ("300"); at least one second.
std::optional<std::chrono::seconds> ParseDuration(std::string_view text, std::string* why);

}  // namespace lokahi::alerts
