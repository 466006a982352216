#include "lib/metrics/exposition.h"

#include <charconv>
#include <cmath>

namespace lokahi::metrics {

namespace {
bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string Escape(std::string_view text, bool escape_quotes) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && escape_quotes) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}
}  // namespace

bool IsValidMetricName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool allowed = IsAsciiLetter(c) || c == '_' || c == ':' || (i > 0 && IsDigit(c));
    if (!allowed) return false;
  }
  return true;
}

bool IsValidLabelName(std::string_view name) {
  if (name.empty() || name.starts_with("__")) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool allowed = IsAsciiLetter(c) || c == '_' || (i > 0 && IsDigit(c));
    if (!allowed) return false;
  }
  return true;
}

std::string EscapeHelp(std::string_view help) { return Escape(help, /*escape_quotes=*/false); }

std::string EscapeLabelValue(std::string_view value) {
  return Escape(value, /*escape_quotes=*/true);
}

std::string FormatSampleValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[64];
  // %g-style shortest: plain decimals from 1e-4 up (so a bucket reads le="0.0005", as Go's client
  // writes it, not the shorter "5e-04"), exponents only for very small or large values.
  const auto result =
      std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::general);
  return std::string(buffer, result.ptr);
}

}  // namespace lokahi::metrics
