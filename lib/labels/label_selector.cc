#include "lib/labels/label_selector.h"

#include <algorithm>

#include "lib/checks/quote.h"

namespace lokahi::labels {
namespace {

std::string_view Trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool IsValueChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

std::string JsonString(std::string_view text) {
  // Keys and values are validated to plain ASCII without quotes or backslashes.
  return "\"" + std::string(text) + "\"";
}

const char* OpText(Requirement::Op op) {
  switch (op) {
    case Requirement::Op::kEquals:
      return "=";
    case Requirement::Op::kNotEquals:
      return "!=";
    case Requirement::Op::kExists:
      return "exists";
    case Requirement::Op::kNotExists:
      return "!exists";
  }
  return "=";
}

}  // namespace

bool IsValidKey(std::string_view key) {
  return !key.empty() && key.size() <= kMaxKeyLength &&
         std::all_of(key.begin(), key.end(), [](char c) { return IsValueChar(c) || c == '/'; });
}

bool IsValidValue(std::string_view value) {
  return value.size() <= kMaxValueLength && std::all_of(value.begin(), value.end(), IsValueChar);
}

bool Selector::Matches(const Labels& labels) const {
  return std::all_of(requirements.begin(), requirements.end(), [&](const Requirement& r) {
    const auto it = labels.find(r.key);
    switch (r.op) {
      case Requirement::Op::kEquals:
        return it != labels.end() && it->second == r.value;
      case Requirement::Op::kNotEquals:
        return it == labels.end() || it->second != r.value;
      case Requirement::Op::kExists:
        return it != labels.end();
      case Requirement::Op::kNotExists:
        return it == labels.end();
    }
    return false;
  });
}

std::string Selector::ToString() const {
  std::string text;
  for (const auto& r : requirements) {
    if (!text.empty()) text += ',';
    switch (r.op) {
      case Requirement::Op::kEquals:
        text += r.key + "=" + r.value;
        break;
      case Requirement::Op::kNotEquals:
        text += r.key + "!=" + r.value;
        break;
      case Requirement::Op::kExists:
        text += r.key;
        break;
      case Requirement::Op::kNotExists:
        text += "!" + r.key;
        break;
    }
  }
  return text;
}

std::string Selector::ToJson() const {
  std::string json = "[";
  for (const auto& r : requirements) {
    if (json.size() > 1) json += ',';
    json += "{\"key\":" + JsonString(r.key) + ",\"op\":\"" + OpText(r.op) +
            "\",\"value\":" + JsonString(r.value) + "}";
  }
  return json + "]";
}

std::string Selector::EqualsJson() const {
  std::string json;
  for (const auto& r : requirements) {
    if (r.op != Requirement::Op::kEquals) continue;
    json += json.empty() ? "{" : ",";
    json += JsonString(r.key) + ":" + JsonString(r.value);
  }
  return json.empty() ? json : json + "}";
}

std::optional<Selector> ParseSelector(std::string_view text, std::string* error) {
  const auto fail = [&](const std::string& message) -> std::optional<Selector> {
    *error = "selector " + message;
    return std::nullopt;
  };
  if (text.size() > kMaxSelectorBytes) {
    return fail("must be at most " + std::to_string(kMaxSelectorBytes) + " bytes, got " +
                std::to_string(text.size()));
  }
  Selector selector;
  if (Trimmed(text).empty()) return selector;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    const std::string_view part = Trimmed(text.substr(start, comma - start));
    start = comma + 1;
    if (part.empty()) return fail("has an empty requirement in " + checks::Quote(text));
    if (selector.requirements.size() == kMaxRequirements) {
      return fail("may hold at most " + std::to_string(kMaxRequirements) + " requirements");
    }
    Requirement r;
    std::string_view key = part, value;
    if (const size_t ne = part.find("!="); ne != std::string_view::npos) {
      r.op = Requirement::Op::kNotEquals;
      key = part.substr(0, ne);
      value = part.substr(ne + 2);
    } else if (const size_t eq = part.find('='); eq != std::string_view::npos) {
      r.op = Requirement::Op::kEquals;
      key = part.substr(0, eq);
      value = part.substr(eq + (part.substr(eq, 2) == "==" ? 2 : 1));
    } else if (part.front() == '!') {
      r.op = Requirement::Op::kNotExists;
      key = part.substr(1);
    } else {
      r.op = Requirement::Op::kExists;
    }
    key = Trimmed(key);
    value = Trimmed(value);
    if (!IsValidKey(key)) {
      return fail(checks::Quote(part) + ": a key is 1-63 characters of A-Z a-z 0-9 . _ / -, got " +
                  checks::Quote(key));
    }
    if (!IsValidValue(value)) {
      return fail(checks::Quote(part) +
                  ": a value is at most 63 characters of A-Z a-z 0-9 . _ -, got " +
                  checks::Quote(value));
    }
    r.key = std::string(key);
    r.value = std::string(value);
    selector.requirements.push_back(std::move(r));
    if (comma == text.size()) break;
  }
  return selector;
}

}  // namespace lokahi::labels
