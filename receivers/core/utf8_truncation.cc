#include "receivers/core/utf8_truncation.h"

namespace lokahi::receivers {
namespace {

constexpr std::string_view kEllipsis = "…";  // U+2026: one UTF-16 unit, three bytes.

struct Character {
  std::size_t bytes;
  std::size_t utf16_units;
};

// The character starting at text[at]: its length in bytes and in UTF-16 units. A malformed or
// cut-off sequence is taken one byte at a time.
Character CharacterAt(std::string_view text, std::size_t at) {
  const auto lead = static_cast<unsigned char>(text[at]);
  std::size_t length = 1;
  if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
  } else if (lead >= 0xE0) {
    length = lead <= 0xEF ? 3 : 1;
  } else if (lead >= 0xC2) {
    length = 2;
  }
  if (at + length > text.size()) return {1, 1};
  for (std::size_t i = 1; i < length; ++i) {
    if ((static_cast<unsigned char>(text[at + i]) & 0xC0) != 0x80) return {1, 1};
  }
  return {length, length == 4 ? 2u : 1u};
}

}  // namespace

std::size_t Utf16Length(std::string_view utf8) {
  std::size_t units = 0;
  for (std::size_t at = 0; at < utf8.size();) {
    const Character c = CharacterAt(utf8, at);
    at += c.bytes;
    units += c.utf16_units;
  }
  return units;
}

std::string TruncateUtf8(std::string_view text, std::size_t max_units) {
  if (Utf16Length(text) <= max_units) return std::string(text);
  if (max_units == 0) return "";
  const std::size_t budget = max_units - 1;  // room for the ellipsis
  std::size_t units = 0;
  std::size_t at = 0;
  while (at < text.size()) {
    const Character c = CharacterAt(text, at);
    if (units + c.utf16_units > budget) break;
    units += c.utf16_units;
    at += c.bytes;
  }
  return std::string(text.substr(0, at)) + std::string(kEllipsis);
}

}  // namespace lokahi::receivers
