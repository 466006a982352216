#pragma once
// Building HTML where every value is escaped unless it is markup written in our
// source code. Markup can only be made from string literals (its constructor is
// consteval), so a value that came from a user, the database or a request can
// reach a page only through Text/Attr, which escape it. One escaping function
// serves text and quoted attribute values alike.

#include <string>
#include <string_view>

#include "lib/checks/check.h"

namespace lokahi::lokahid {

// `text` with & < > " ' replaced by character references: safe in element
// content and in a double- or single-quoted attribute value. Bytes that are not
// valid UTF-8 become U+FFFD, so a value can never end a page's encoding early.
// Control characters other than tab, newline and carriage return become U+FFFD
// too.
std::string HtmlEscape(std::string_view text);

// A piece of markup from our own source code.
class Markup {
 public:
  consteval Markup(const char* literal) : text_(literal) {}  // NOLINT: implicit by design
  std::string_view view() const { return text_; }

 private:
  std::string_view text_;
};

class Html {
 public:
  Html& operator<<(Markup markup) {
    out_.append(markup.view());
    return *this;
  }
  // Escaped text (element content or attribute value).
  Html& Text(std::string_view text) {
    out_ += HtmlEscape(text);
    return *this;
  }
  Html& Text(long long number) {
    out_ += std::to_string(number);
    return *this;
  }
  // Another built piece, already safe.
  Html& Append(const Html& other) {
    out_ += other.out_;
    return *this;
  }
  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

// `text` percent-encoded for a URL query value or path segment (unreserved
// bytes kept).
std::string UrlEncode(std::string_view text);
// Decodes application/x-www-form-urlencoded text ('+' is a space); invalid
// escapes stay as they are.
std::string UrlDecode(std::string_view text);

// The CSS classes of a state's badge ("state state-up"), one look on the console and the status
// page.
Markup StateClass(checks::State state);

}  // namespace lokahi::lokahid
