#include "receivers/core/transition_words.h"

#include <cstdio>

namespace lokahi::receivers {

using github::xe::lokahi::Check;

std::string StateName(State state) {
  if (Check::State_IsValid(state)) return Check::State_Name(state);
  return "UNKNOWN(" + std::to_string(static_cast<int>(state)) + ")";
}

std::string_view StateEmoji(State state) {
  switch (state) {
    case Check::UP:
      return "🟢";
    case Check::DOWN:
      return "🔴";
    case Check::ERROR:
      return "🟠";
    default:
      return "⚪";
  }
}

std::string FormatMilliseconds(std::int64_t nanoseconds, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, static_cast<double>(nanoseconds) / 1e6);
  return buffer;
}

std::string Headline(const github::xe::lokahi::CheckStatus& status) {
  return "check " + status.check().id() + " is " + StateName(status.check().state()) + " (was " +
         StateName(status.previous_state()) + ")";
}

std::string ProbeOutcome(const github::xe::lokahi::CheckStatus& status) {
  if (status.resp_status_code() == 0) {
    const std::string& error = status.last_probe().error();
    return std::string("did not answer") + (error.empty() ? "" : ": " + error);
  }
  return "answered " + std::to_string(status.resp_status_code()) + " in " +
         FormatMilliseconds(status.last_response_time_nanoseconds(), 1) + " ms";
}

}  // namespace lokahi::receivers
