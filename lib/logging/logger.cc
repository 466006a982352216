#include "lib/logging/logger.h"

#include <chrono>
#include <ctime>
#include <sstream>

namespace lokahi::logging {

Logger::Logger(std::string component, std::ostream& out)
    : component_(std::move(component)), out_(out) {}

void Logger::Info(std::string_view event, std::initializer_list<Field> fields) {
  Write("info", event, fields);
}
void Logger::Warn(std::string_view event, std::initializer_list<Field> fields) {
  Write("warn", event, fields);
}
void Logger::Error(std::string_view event, std::initializer_list<Field> fields) {
  Write("error", event, fields);
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

void Logger::Write(std::string_view level, std::string_view event,
                   std::initializer_list<Field> fields) {
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
       << "Z level=" << level << " component=" << component_ << " event=" << FormatValue(event);
  for (const auto& field : fields) line << ' ' << field.key << '=' << FormatValue(field.value);
  line << '\n';
  std::lock_guard lock(mutex_);
  out_ << line.str() << std::flush;
}

}  // namespace lokahi::logging
