#pragma once
// The words every receiver uses to describe a change of a check's state, so the log line, the
// Discord message and the Slack message say the same thing.

#include <cstdint>
#include <string>
#include <string_view>

#include "lokahi.pb.h"

namespace lokahi::receivers {

using State = github::xe::lokahi::Check::State;

// "INIT", "UP", "DOWN", "ERROR" (lokahi's enum names); "UNKNOWN(7)" for a value a newer sender
// added.
std::string StateName(State state);

// A coloured circle per state: 🟢 UP, 🔴 DOWN, 🟠 ERROR, ⚪ INIT and anything else.
std::string_view StateEmoji(State state);

// Nanoseconds as milliseconds with `decimals` digits: (2265000, 3) -> "2.265".
std::string FormatMilliseconds(std::int64_t nanoseconds, int decimals);

// The headline: "check <id> is DOWN (was UP)".
std::string Headline(const github::xe::lokahi::CheckStatus& status);

// What the last probe saw: "answered 500 in 2.3 ms", or, with no HTTP answer (status code 0),
// "did not answer: <error>" ("did not answer" when there is no error text).
std::string ProbeOutcome(const github::xe::lokahi::CheckStatus& status);

}  // namespace lokahi::receivers
