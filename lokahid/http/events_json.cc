#include "lokahid/http/events_json.h"

#include <cstdlib>

namespace lokahi::lokahid {
namespace {

constexpr int kMaxDepth = 32;

class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  bool Fail(std::string what) {
    if (error_.empty()) error_ = what + " at byte " + std::to_string(pos_);
    return false;
  }
  const std::string& error() const { return error_; }

  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool AtEnd() {
    SkipSpace();
    return pos_ == text_.size();
  }
  char Peek() {
    SkipSpace();
    return pos_ < text_.size() ? text_[pos_] : '\0';
  }
  bool Consume(char c) {
    if (Peek() != c) return false;
    ++pos_;
    return true;
  }
  bool Expect(char c) {
    if (Consume(c)) return true;
    return Fail(std::string("expected '") + c + "'");
  }

  bool String(std::string* out) {
    if (!Expect('"')) return false;
    out->clear();
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return Fail("unescaped control character");
      if (c != '\\') {
        *out += c;
        continue;
      }
      if (pos_ >= text_.size()) break;
      const char e = text_[pos_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          *out += e;
          break;
        case 'b':
          *out += '\b';
          break;
        case 'f':
          *out += '\f';
          break;
        case 'n':
          *out += '\n';
          break;
        case 'r':
          *out += '\r';
          break;
        case 't':
          *out += '\t';
          break;
        case 'u': {
          unsigned code = 0;
          if (!Hex4(&code)) return false;
          if (code >= 0xd800 && code <= 0xdbff) {
            unsigned low = 0;
            if (pos_ + 1 >= text_.size() || text_[pos_] != '\\' || text_[pos_ + 1] != 'u') {
              return Fail("lone surrogate in \\u escape");
            }
            pos_ += 2;
            if (!Hex4(&low)) return false;
            if (low < 0xdc00 || low > 0xdfff) return Fail("lone surrogate in \\u escape");
            code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
          } else if (code >= 0xdc00 && code <= 0xdfff) {
            return Fail("lone surrogate in \\u escape");
          }
          AppendUtf8(code, out);
          break;
        }
        default:
          return Fail("bad escape in string");
      }
    }
    return Fail("unterminated string");
  }

  bool Number(double* out) {
    SkipSpace();
    const size_t start = pos_;
    if (pos_ < text_.size() && text_[pos_] == '-') ++pos_;
    if (pos_ >= text_.size() || !IsDigit(text_[pos_])) return Fail("bad number");
    if (text_[pos_] == '0') {
      ++pos_;
    } else {
      while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
    }
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      if (pos_ >= text_.size() || !IsDigit(text_[pos_])) return Fail("bad number");
      while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (pos_ >= text_.size() || !IsDigit(text_[pos_])) return Fail("bad number");
      while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
    }
    if (pos_ - start > 64) return Fail("number too long");
    const std::string digits(text_.substr(start, pos_ - start));
    *out = std::strtod(digits.c_str(), nullptr);
    return true;
  }

  // Any value, described in `out` (objects and arrays are checked and skipped).
  bool Value(EventsJsonValue* out, int depth) {
    const char c = Peek();
    if (c == '"') {
      out->kind = EventsJsonValue::Kind::kString;
      return String(&out->text);
    }
    if (c == '-' || IsDigit(c)) {
      out->kind = EventsJsonValue::Kind::kNumber;
      return Number(&out->number);
    }
    out->kind = EventsJsonValue::Kind::kOther;
    if (c == '{' || c == '[') return Skip(depth);
    for (const std::string_view word : {"true", "false", "null"}) {
      if (text_.substr(pos_, word.size()) == word) {
        pos_ += word.size();
        return true;
      }
    }
    return Fail("expected a JSON value");
  }

  bool Object(EventsJsonItem* item, int depth) {
    if (depth > kMaxDepth) return Fail("nesting too deep");
    if (!Expect('{')) return false;
    item->is_object = true;
    if (Consume('}')) return true;
    do {
      std::string name;
      if (!String(&name) || !Expect(':')) return false;
      EventsJsonValue value;
      if (!Value(&value, depth + 1)) return false;
      item->fields.emplace_back(std::move(name), std::move(value));
    } while (Consume(','));
    return Expect('}');
  }

 private:
  static bool IsDigit(char c) { return c >= '0' && c <= '9'; }

  bool Hex4(unsigned* out) {
    if (pos_ + 4 > text_.size()) return Fail("bad \\u escape");
    *out = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = text_[pos_++];
      *out <<= 4;
      if (h >= '0' && h <= '9') {
        *out |= static_cast<unsigned>(h - '0');
      } else if (h >= 'a' && h <= 'f') {
        *out |= static_cast<unsigned>(h - 'a' + 10);
      } else if (h >= 'A' && h <= 'F') {
        *out |= static_cast<unsigned>(h - 'A' + 10);
      } else {
        return Fail("bad \\u escape");
      }
    }
    return true;
  }

  static void AppendUtf8(unsigned code, std::string* out) {
    if (code < 0x80) {
      *out += static_cast<char>(code);
    } else if (code < 0x800) {
      *out += static_cast<char>(0xc0 | (code >> 6));
      *out += static_cast<char>(0x80 | (code & 0x3f));
    } else if (code < 0x10000) {
      *out += static_cast<char>(0xe0 | (code >> 12));
      *out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
      *out += static_cast<char>(0x80 | (code & 0x3f));
    } else {
      *out += static_cast<char>(0xf0 | (code >> 18));
      *out += static_cast<char>(0x80 | ((code >> 12) & 0x3f));
      *out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
      *out += static_cast<char>(0x80 | (code & 0x3f));
    }
  }

  // An object or array, checked and dropped.
  bool Skip(int depth) {
    if (depth > kMaxDepth) return Fail("nesting too deep");
    if (Consume('[')) {
      if (Consume(']')) return true;
      do {
        EventsJsonValue ignored;
        if (!Value(&ignored, depth + 1)) return false;
      } while (Consume(','));
      return Expect(']');
    }
    EventsJsonItem ignored;
    return Object(&ignored, depth);
  }

  std::string_view text_;
  size_t pos_ = 0;
  std::string error_;
};

}  // namespace

std::optional<std::vector<EventsJsonItem>> ParseEventsJson(std::string_view body, size_t max_items,
                                                           std::string* error) {
  Reader reader(body);
  std::vector<EventsJsonItem> items;
  auto failed = [&]() -> std::optional<std::vector<EventsJsonItem>> {
    *error = reader.error();
    return std::nullopt;
  };
  if (reader.Peek() == '[') {
    reader.Consume('[');
    if (!reader.Consume(']')) {
      do {
        if (items.size() == max_items) {
          *error = "at most " + std::to_string(max_items) + " alerts per request";
          return std::nullopt;
        }
        EventsJsonItem item;
        if (reader.Peek() == '{') {
          if (!reader.Object(&item, 1)) return failed();
        } else {
          EventsJsonValue ignored;
          if (!reader.Value(&ignored, 1)) return failed();
        }
        items.push_back(std::move(item));
      } while (reader.Consume(','));
      if (!reader.Expect(']')) return failed();
    }
  } else {
    EventsJsonItem item;
    if (!reader.Object(&item, 0)) {
      reader.Fail("expected a JSON object or array");
      return failed();
    }
    items.push_back(std::move(item));
  }
  if (!reader.AtEnd()) {
    reader.Fail("unexpected text after the JSON value");
    return failed();
  }
  return items;
}

}  // namespace lokahi::lokahid
