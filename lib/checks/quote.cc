#include "lib/checks/quote.h"

namespace lokahi::checks {

std::string Quote(std::string_view value) {
  constexpr char kHex[] = "0123456789abcdef";
  const std::string_view shown = value.substr(0, kQuotedBytes);
  std::string out;
  out.reserve(shown.size() + 24);
  out += '"';
  for (const char c : shown) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte >= 0x7f) {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    } else {
      out += c;
    }
  }
  out += '"';
  if (shown.size() < value.size()) out += "…(" + std::to_string(value.size()) + " bytes)";
  return out;
}

}  // namespace lokahi::checks
