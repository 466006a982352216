#include "lib/webhook/retry_after.h"

#include <time.h>

#include <algorithm>
#include <string>

namespace lokahi::webhook {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

std::optional<long long> ParseDelaySeconds(std::string_view s) {
  if (s.empty() || s.size() > 12) return std::nullopt;
  long long seconds = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    seconds = seconds * 10 + (c - '0');
  }
  return seconds;
}

// The three HTTP-date forms: IMF-fixdate, obsolete RFC 850, and asctime. strptime in the C
// locale accepts both abbreviated and full day names for %a.
std::optional<time_t> ParseHttpDate(const std::string& s) {
  static constexpr const char* kFormats[] = {"%a, %d %b %Y %H:%M:%S GMT",
                                             "%a, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"};
  for (const char* format : kFormats) {
    struct tm parts = {};
    const char* end = strptime(s.c_str(), format, &parts);
    if (end != nullptr && *end == '\0') return timegm(&parts);
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::chrono::milliseconds> ParseRetryAfter(
    std::string_view value, std::chrono::system_clock::time_point now) {
  value = Trim(value);
  if (auto seconds = ParseDelaySeconds(value)) {
    return std::chrono::milliseconds(*seconds * 1000);
  }
  const auto when = ParseHttpDate(std::string(value));
  if (!when) return std::nullopt;
  // HTTP-dates reach year 9999, past system_clock's range (2262): converting such a date would
  // overflow. Clamped to 1970..~2116, which changes no answer: a past date means no wait, and any
  // date after 2116 is a wait far beyond every delivery deadline.
  constexpr time_t kLatest =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::duration::max())
          .count() /
      2;
  const time_t clamped = std::clamp<time_t>(*when, 0, kLatest);
  const auto delay = std::chrono::system_clock::from_time_t(clamped) - now;
  return std::max(std::chrono::duration_cast<std::chrono::milliseconds>(delay),
                  std::chrono::milliseconds(0));
}

}  // namespace lokahi::webhook
