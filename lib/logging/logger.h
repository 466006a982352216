#pragma once
// Structured logging: one line per event, `ts=... level=... component=... event=... key=value`.
// Thread-safe: a line is written with one call, whole, under a mutex.

#include <atomic>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace lokahi::logging {

// In increasing severity. A logger writes the lines at or above its minimum level.
enum class Level { kDebug, kInfo, kWarn, kError };

// "debug", "info", "warn" or "error" (LOKAHI_LOG_LEVEL's values); nullopt for anything else.
std::optional<Level> ParseLevel(std::string_view text);
std::string_view LevelName(Level level);

struct Field {
  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const char* v) : key(k), value(v) {}
  Field(std::string_view k, const std::string& v) : key(k), value(v) {}
  template <typename Number>
  requires std::is_arithmetic_v<Number> Field(std::string_view k, Number v)
      : key(k), value(std::to_string(v)) {}
  std::string key;
  std::string value;
};

class Logger {
 public:
  // `out` must outlive the logger. Lines below `minimum` are not written.
  Logger(std::string component, std::ostream& out, Level minimum = Level::kInfo);
  void Debug(std::string_view event, std::initializer_list<Field> fields = {});
  void Info(std::string_view event, std::initializer_list<Field> fields = {});
  void Warn(std::string_view event, std::initializer_list<Field> fields = {});
  void Error(std::string_view event, std::initializer_list<Field> fields = {});

  // A daemon's logger exists before its configuration is read (to report a bad one), so the
  // configured level is applied afterwards. Safe to call while other threads log.
  void SetMinimumLevel(Level minimum) { minimum_.store(minimum, std::memory_order_relaxed); }
  bool Enabled(Level level) const { return level >= minimum_.load(std::memory_order_relaxed); }

 private:
  void Write(Level level, std::string_view event, std::initializer_list<Field> fields);
  std::string component_;
  std::ostream& out_;
  std::atomic<Level> minimum_;
  std::mutex mutex_;
};

// Quotes a value when it holds spaces, quotes or '='; escapes quotes and newlines.
std::string FormatValue(std::string_view value);

}  // namespace lokahi::logging
