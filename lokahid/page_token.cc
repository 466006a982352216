#include "lokahid/page_token.h"

#include <charconv>
#include <chrono>

namespace lokahi::lokahid {
namespace {
constexpr std::string_view kPrefix = "c1.";
// "c1." + up to 18 digits + "." + a 36-character UUID; anything longer is not ours.
constexpr size_t kMaxTokenBytes = 64;
// Creation times a token may name: the Unix epoch up to the end of year 9999. Postgres computes
// the cursor as 'epoch' + micros, which fails far outside this ("interval out of range") and
// became INTERNAL for a token any client can write.
constexpr long long kMaxCreatedUnixUs = 253402300799999999;
}  // namespace

namespace {

long long Micros(checks::Timestamp at) {
  return std::chrono::duration_cast<std::chrono::microseconds>(at.time_since_epoch()).count();
}

// Parses a whole decimal number of [low, high] from `text`.
std::optional<long long> Number(std::string_view text, long long low, long long high) {
  long long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  if (value < low || value > high) return std::nullopt;
  return value;
}

// Splits `text` at its first '.', nullopt when there is none.
std::optional<std::pair<std::string_view, std::string_view>> Split(std::string_view text) {
  const size_t dot = text.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  return std::make_pair(text.substr(0, dot), text.substr(dot + 1));
}

constexpr char kHex[] = "0123456789abcdef";
// A name (at most 200 characters, up to 800 bytes of UTF-8) as hex, so any byte fits.
constexpr size_t kMaxNameTokenBytes = 3 + 36 + 1 + 1600;

}  // namespace

// c1.<created>.<id>; n1.<id>.<hex name>; s1.<state>.<created>.<id>; t1.<since>.<id>.
std::string PageTokenAfter(const checks::Check& last, store::ListOrder order) {
  switch (order) {
    case store::ListOrder::kName: {
      std::string token = "n1." + last.id + ".";
      for (const unsigned char c : last.options.name) {
        token += kHex[c >> 4];
        token += kHex[c & 15];
      }
      return token;
    }
    case store::ListOrder::kStateFailingFirst:
      return "s1." + std::to_string(static_cast<int>(last.state)) + "." +
             std::to_string(Micros(last.created_at)) + "." + last.id;
    case store::ListOrder::kSinceNewest:
      return "t1." + std::to_string(last.state_changed_at ? Micros(*last.state_changed_at) : 0) +
             "." + last.id;
    case store::ListOrder::kCreated:
      break;
  }
  return std::string(kPrefix) + std::to_string(Micros(last.created_at)) + "." + last.id;
}

std::optional<store::ListCursor> ParsePageToken(std::string_view token) {
  if (token.size() > kMaxNameTokenBytes) return std::nullopt;
  store::ListCursor cursor;
  const auto id_of = [&](std::string_view text) {
    const auto id = checks::CheckId::Parse(text);
    if (id) cursor.id = id->str();
    return id.has_value();
  };
  if (token.starts_with("n1.")) {
    const auto parts = Split(token.substr(3));
    if (!parts || !id_of(parts->first) || parts->second.size() % 2) return std::nullopt;
    for (size_t i = 0; i < parts->second.size(); i += 2) {
      unsigned value = 0;
      const auto [end, error] =
          std::from_chars(parts->second.data() + i, parts->second.data() + i + 2, value, 16);
      if (error != std::errc() || end != parts->second.data() + i + 2) return std::nullopt;
      cursor.name += static_cast<char>(value);
    }
    cursor.order = store::ListOrder::kName;
    return cursor;
  }
  if (token.starts_with("s1.")) {
    const auto state = Split(token.substr(3));
    if (!state) return std::nullopt;
    const auto created = Split(state->second);
    if (!created) return std::nullopt;
    const auto state_value = Number(state->first, 0, 3);
    const auto micros = Number(created->first, 0, kMaxCreatedUnixUs);
    if (!state_value || !micros || !id_of(created->second)) return std::nullopt;
    cursor.order = store::ListOrder::kStateFailingFirst;
    cursor.state = static_cast<int>(*state_value);
    cursor.created_unix_us = *micros;
    return cursor;
  }
  if (token.starts_with("t1.")) {
    const auto since = Split(token.substr(3));
    if (!since) return std::nullopt;
    const auto micros = Number(since->first, 0, kMaxCreatedUnixUs);
    if (!micros || !id_of(since->second)) return std::nullopt;
    cursor.order = store::ListOrder::kSinceNewest;
    cursor.since_unix_us = *micros;
    return cursor;
  }
  if (token.size() > kMaxTokenBytes || !token.starts_with(kPrefix)) return std::nullopt;
  const auto created = Split(token.substr(kPrefix.size()));
  if (!created) return std::nullopt;
  const auto micros = Number(created->first, 0, kMaxCreatedUnixUs);
  if (!micros || !id_of(created->second)) return std::nullopt;
  cursor.created_unix_us = *micros;
  return cursor;
}

}  // namespace lokahi::lokahid
