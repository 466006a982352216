#pragma once
// Splitting a fuzzer's input into text fields, so seed corpora stay readable files
// ("field\nfield\nrest").

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace lokahi::fuzz {

inline std::string_view AsText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// The first `count - 1` newline-terminated lines, then everything left (newlines included) as the
// last field. Always returns `count` fields; missing ones are empty.
inline std::vector<std::string_view> SplitFields(std::string_view text, size_t count) {
  std::vector<std::string_view> fields;
  while (fields.size() + 1 < count) {
    const size_t newline = text.find('\n');
    if (newline == std::string_view::npos) break;
    fields.push_back(text.substr(0, newline));
    text.remove_prefix(newline + 1);
  }
  fields.push_back(text);
  fields.resize(count);
  return fields;
}

}  // namespace lokahi::fuzz
