#include "lib/maintenance/weekly_schedule.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "lib/checks/quote.h"

namespace lokahi::maintenance {
namespace {

constexpr std::array<const char*, 7> kShort = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr std::array<const char*, 7> kLong = {"monday", "tuesday",  "wednesday", "thursday",
                                              "friday", "saturday", "sunday"};

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool Digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(),
                                      [](unsigned char c) { return std::isdigit(c) != 0; });
}

}  // namespace

std::optional<int> ParseWeekday(std::string_view text) {
  const std::string lower = Lower(text);
  for (int i = 0; i < 7; ++i) {
    if (lower == Lower(kShort[i]) || lower == kLong[i]) return i + 1;
  }
  return std::nullopt;
}

const char* WeekdayName(int weekday) {
  return weekday >= 1 && weekday <= 7 ? kShort[weekday - 1] : "?";
}

std::optional<int> ParseMinuteOfDay(std::string_view text) {
  if (text.size() != 5 || text[2] != ':' || !Digits(text.substr(0, 2)) ||
      !Digits(text.substr(3, 2))) {
    return std::nullopt;
  }
  const int hour = (text[0] - '0') * 10 + (text[1] - '0');
  const int minute = (text[3] - '0') * 10 + (text[4] - '0');
  if (hour > 23 || minute > 59) return std::nullopt;
  return hour * 60 + minute;
}

std::string MinuteOfDayText(int minute) {
  char text[8];
  std::snprintf(text, sizeof text, "%02d:%02d", (minute / 60) % 100, minute % 60);
  return text;
}

bool IsPlausibleTimeZoneName(std::string_view name) {
  return !name.empty() && name.size() <= 64 && name.front() != '/' && name.back() != '/' &&
         name.find("..") == std::string_view::npos &&
         std::all_of(name.begin(), name.end(), [](unsigned char c) {
           return std::isalnum(c) || c == '/' || c == '_' || c == '-' || c == '+';
         });
}

std::string WeeklySchedule::ToString() const {
  return std::string(WeekdayName(weekday)) + " " + MinuteOfDayText(from_minute) + "-" +
         MinuteOfDayText(to_minute) + " " + time_zone;
}

std::optional<std::string> ValidateWeekly(const WeeklySchedule& schedule) {
  if (schedule.weekday < 1 || schedule.weekday > 7) {
    return "weekly weekday must be between 1 (Monday) and 7 (Sunday), got " +
           std::to_string(schedule.weekday);
  }
  for (const int minute : {schedule.from_minute, schedule.to_minute}) {
    if (minute < 0 || minute > 1439) {
      return "weekly times must be minutes after midnight between 0 and 1439, got " +
             std::to_string(minute);
    }
  }
  if (schedule.from_minute == schedule.to_minute) {
    return "a weekly window must end at another time than it starts, got " +
           MinuteOfDayText(schedule.from_minute) + "-" + MinuteOfDayText(schedule.to_minute);
  }
  if (!IsPlausibleTimeZoneName(schedule.time_zone)) {
    return "weekly time zone must be an IANA name like Europe/Paris, got " +
           checks::Quote(schedule.time_zone);
  }
  return std::nullopt;
}

std::optional<WeeklySchedule> ParseWeekly(std::string_view text, std::string* error) {
  const auto fail = [&](std::string message) -> std::optional<WeeklySchedule> {
    *error = "--weekly must look like 'Sun 02:00-04:00 Europe/Paris': " + message;
    return std::nullopt;
  };
  std::array<std::string_view, 3> words;
  size_t count = 0, position = 0;
  while (position < text.size()) {
    while (position < text.size() && text[position] == ' ') ++position;
    if (position == text.size()) break;
    const size_t end = std::min(text.find(' ', position), text.size());
    if (count == words.size()) return fail("too many words in " + checks::Quote(text));
    words[count++] = text.substr(position, end - position);
    position = end;
  }
  if (count != 3) return fail("got " + checks::Quote(text));
  WeeklySchedule schedule;
  const auto weekday = ParseWeekday(words[0]);
  if (!weekday) return fail("the weekday is Mon..Sun, got " + checks::Quote(words[0]));
  schedule.weekday = *weekday;
  const size_t dash = words[1].find('-');
  const auto from = ParseMinuteOfDay(words[1].substr(0, dash));
  const auto to =
      dash == std::string_view::npos ? std::nullopt : ParseMinuteOfDay(words[1].substr(dash + 1));
  if (!from || !to) return fail("the times are HH:MM-HH:MM, got " + checks::Quote(words[1]));
  schedule.from_minute = *from;
  schedule.to_minute = *to;
  schedule.time_zone = std::string(words[2]);
  if (auto problem = ValidateWeekly(schedule)) return fail(*problem);
  return schedule;
}

std::optional<std::chrono::seconds> ParseDuration(std::string_view text, std::string* error) {
  const auto fail = [&]() -> std::optional<std::chrono::seconds> {
    *error = "a duration looks like 90s, 30m, 2h, 1h30m or 7d, got " + checks::Quote(text);
    return std::nullopt;
  };
  if (text.empty() || text.size() > 32) return fail();
  int64_t total = 0;
  size_t position = 0;
  while (position < text.size()) {
    size_t end = position;
    while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
    if (end == position || end == text.size() || end - position > 9) return fail();
    const int64_t number = std::stoll(std::string(text.substr(position, end - position)));
    switch (text[end]) {
      case 'd':
        total += number * 86400;
        break;
      case 'h':
        total += number * 3600;
        break;
      case 'm':
        total += number * 60;
        break;
      case 's':
        total += number;
        break;
      default:
        return fail();
    }
    position = end + 1;
  }
  if (total < 1) return fail();
  return std::chrono::seconds(total);
}

}  // namespace lokahi::maintenance
