#pragma once
// Structured logging: one line per event, `ts=... level=... component=... event=... key=value`.
// Thread-safe: a line is written with one call, whole, under a mutex.

#include <initializer_list>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace lokahi::logging {

struct Field {
  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const char* v) : key(k), value(v) {}
  Field(std::string_view k, const std::string& v) : key(k), value(v) {}
  template <typename Number>
    requires std::is_arithmetic_v<Number>
  Field(std::string_view k, Number v) : key(k), value(std::to_string(v)) {}
  std::string key;
  std::string value;
};

class Logger {
 public:
  // `out` must outlive the logger.
  Logger(std::string component, std::ostream& out);
  void Info(std::string_view event, std::initializer_list<Field> fields = {});
  void Warn(std::string_view event, std::initializer_list<Field> fields = {});
  void Error(std::string_view event, std::initializer_list<Field> fields = {});

 private:
  void Write(std::string_view level, std::string_view event, std::initializer_list<Field> fields);
  std::string component_;
  std::ostream& out_;
  std::mutex mutex_;
};

// Quotes a value when it holds spaces, quotes or '='; escapes quotes and newlines.
std::string FormatValue(std::string_view value);

}  // namespace lokahi::logging
