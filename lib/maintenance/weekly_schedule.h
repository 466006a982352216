#pragma once
// The text forms of maintenance windows that people type, parsed with errors they can act on:
// a weekly schedule (`Sun 02:00-04:00 Europe/Paris`) and a duration (`30m`, `1h30m`). Pure logic;
// whether a time zone exists is for the store to say (Postgres's own zone database).

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace lokahi::maintenance {

// Every week on `weekday` (ISO: 1 Monday .. 7 Sunday) from `from_minute` to `to_minute` (minutes
// after local midnight, 0..1439) in `time_zone` (IANA name). to <= from runs past midnight into
// the next day (`Sat 23:00-01:00`); DST shifts follow the zone.
struct WeeklySchedule {
  int weekday = 1;
  int from_minute = 0;
  int to_minute = 0;
  std::string time_zone;

  bool operator==(const WeeklySchedule&) const = default;
  // `Sun 02:00-04:00 Europe/Paris`
  std::string ToString() const;
};

// "Mon".."Sun" (any case, or the full English name).
std::optional<int> ParseWeekday(std::string_view text);
const char* WeekdayName(int weekday);
// "HH:MM", 00:00..23:59.
std::optional<int> ParseMinuteOfDay(std::string_view text);
std::string MinuteOfDayText(int minute);
// Names like Europe/Paris, America/Argentina/Buenos_Aires, UTC, Etc/GMT+5.
bool IsPlausibleTimeZoneName(std::string_view name);

std::optional<WeeklySchedule> ParseWeekly(std::string_view text, std::string* error);
// Checks a schedule that came as fields (the API): weekday, minutes, zone name's form.
std::optional<std::string> ValidateWeekly(const WeeklySchedule& schedule);

// `90s`, `30m`, `2h`, `1h30m`, `7d`: at least one second.
std::optional<std::chrono::seconds> ParseDuration(std::string_view text, std::string* error);

}  // namespace lokahi::maintenance
