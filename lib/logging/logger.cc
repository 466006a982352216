#include "lib/logging/logger.h"

#include <chrono>
#include <ctime>
#include <sstream>

namespace lokahi::logging {

std::optional<Level> ParseLevel(std::string_view text) {
  for (const Level level : {Level::kDebug, Level::kInfo, Level::kWarn, Level::kError}) {
    if (text == LevelName(level)) return level;
  }
  return std::nullopt;
}

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "error";
}

Logger::Logger(std::string component, std::ostream& out, Level minimum)
    : component_(std::move(component)), out_(out), minimum_(minimum) {}

void Logger::Debug(std::string_view event, std::initializer_list<Field> fields) {
  Write(Level::kDebug, event, fields);
}
void Logger::Info(std::string_view event, std::initializer_list<Field> fields) {
  Write(Level::kInfo, event, fields);
}
void Logger::Warn(std::string_view event, std::initializer_list<Field> fields) {
  Write(Level::kWarn, event, fields);
}
void Logger::Error(std::string_view event, std::initializer_list<Field> fields) {
  Write(Level::kError, event, fields);
}

std::string FormatValue(std::string_view value) {
  const bool needs_quotes =
      value.empty() || value.find_first_of(" \"=\n\t") != std::string_view::npos;
  if (!needs_quotes) return std::string(value);
  std::string quoted = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') {
      quoted += '\\';
      quoted += c;
    } else if (c == '\n') {
      quoted += "\\n";
    } else {
      quoted += c;
    }
  }
  quoted += '"';
  return quoted;
}

void Logger::Write(Level level, std::string_view event, std::initializer_list<Field> fields) {
  if (!Enabled(level)) return;
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
  std::ostringstream line;
  line << "ts=" << stamp << '.' << (millis < 100 ? (millis < 10 ? "00" : "0") : "") << millis
       << "Z level=" << LevelName(level) << " component=" << component_
       << " event=" << FormatValue(event);
  for (const auto& field : fields) line << ' ' << field.key << '=' << FormatValue(field.value);
  line << '\n';
  std::lock_guard lock(mutex_);
  out_ << line.str() << std::flush;
}

}  // namespace lokahi::logging
