#pragma once
// Pieces of the Prometheus text exposition format (version 0.0.4): name rules, escaping and
// number formatting. Pure functions; the Registry composes them.

#include <string>
#include <string_view>

namespace lokahi::metrics {

inline constexpr std::string_view kExpositionContentType =
    "text/plain; version=0.0.4; charset=utf-8";

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool IsValidMetricName(std::string_view name);
// [a-zA-Z_][a-zA-Z0-9_]*, and not starting with "__" (reserved by Prometheus).
bool IsValidLabelName(std::string_view name);

// HELP text: backslash and newline escaped.
std::string EscapeHelp(std::string_view help);
// Label values: backslash, double quote and newline escaped.
std::string EscapeLabelValue(std::string_view value);

// Shortest text that reads back as the same double, in %g style ("0.0005", "1e-05", "1e+06");
// "+Inf", "-Inf", "NaN" for the specials.
std::string FormatSampleValue(double value);

}  // namespace lokahi::metrics
