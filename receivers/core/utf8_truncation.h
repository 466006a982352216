#pragma once
// Shortening user-controlled text (URLs, error messages) to a chat service's length limit
// without producing invalid UTF-8.

#include <cstddef>
#include <string>
#include <string_view>

namespace lokahi::receivers {

// Length as chat services count it: UTF-16 code units, like JavaScript's String.length (a
// character outside the Basic Multilingual Plane, such as most emoji, counts two). Counting this
// way never underestimates a limit stated in "characters" or code points.
std::size_t Utf16Length(std::string_view utf8);

// `text` unchanged when it fits in `max_units` UTF-16 code units; otherwise its longest prefix
// of whole characters followed by "…", together within `max_units`. Never splits a multi-byte
// sequence. Bytes that are not valid UTF-8 count one unit each and are kept as they are.
std::string TruncateUtf8(std::string_view text, std::size_t max_units);

}  // namespace lokahi::receivers
