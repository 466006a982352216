#include "lib/alerts/raise_spec.h"

#include <charconv>

namespace lokahi::alerts {
namespace {

constexpr const char* kRaiseForms =
    "must be now, clear, +N with a unit s, m, h or d (like +5m), or a Unix time in seconds";
constexpr const char* kWhenForms =
    "must be +N with a unit s, m, h or d (like +5m), or a Unix time in seconds";
constexpr const char* kDurationForms =
    "must be a number of seconds or N with a unit s, m, h or d (like 2h)";

// Digits only (no sign, no spaces), within `max`.
std::optional<long long> ParseCount(std::string_view digits, long long max) {
  if (digits.empty() || digits.size() > 18) return std::nullopt;
  for (const char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;  // from_chars would take a sign
  }
  long long value = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc() || end != digits.data() + digits.size() || value > max) {
    return std::nullopt;
  }
  return value;
}

std::optional<long long> UnitSeconds(char unit) {
  switch (unit) {
    case 's':
      return 1;
    case 'm':
      return 60;
    case 'h':
      return 3600;
    case 'd':
      return 86400;
    default:
      return std::nullopt;
  }
}

// "N<unit>" or, when `unit_required` is false, "N" (seconds).
std::optional<std::chrono::seconds> ParseAmount(std::string_view text, bool unit_required) {
  if (text.empty()) return std::nullopt;
  long long scale = 1;
  if (const auto unit = UnitSeconds(text.back())) {
    scale = *unit;
    text.remove_suffix(1);
  } else if (unit_required) {
    return std::nullopt;
  }
  const auto count = ParseCount(text, kMaxRelative.count() / scale);
  if (!count) return std::nullopt;
  return std::chrono::seconds(*count * scale);
}

}  // namespace

std::optional<Timestamp> ParseWhen(std::string_view text, Timestamp now, std::string* why) {
  if (!text.empty() && text.front() == '+') {
    if (const auto amount = ParseAmount(text.substr(1), true)) {
      return now + *amount;
    }
    if (why) *why = std::string(kWhenForms) + ", at most 3650d ahead";
    return std::nullopt;
  }
  if (const auto unix_seconds = ParseCount(text, kMaxUnixSeconds)) {
    return Timestamp(std::chrono::seconds(*unix_seconds));
  }
  if (why) *why = kWhenForms;
  return std::nullopt;
}

std::optional<RaiseSpec> ParseRaise(std::string_view text, Timestamp now, std::string* why) {
  if (text == "now") return RaiseSpec(now);
  if (text == "clear") return RaiseSpec(ClearNow{});
  if (text.empty()) {
    if (why) *why = std::string("is required: it ") + kRaiseForms;
    return std::nullopt;
  }
  if (auto when = ParseWhen(text, now, nullptr)) return RaiseSpec(*when);
  if (why) *why = kRaiseForms;
  return std::nullopt;
}

std::optional<std::chrono::seconds> ParseDuration(std::string_view text, std::string* why) {
  const auto amount = ParseAmount(text, false);
  if (!amount || amount->count() < 1) {
    if (why) *why = kDurationForms;
    return std::nullopt;
  }
  return amount;
}

}  // namespace lokahi::alerts
