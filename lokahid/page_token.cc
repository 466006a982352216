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

std::string PageTokenAfter(const checks::Check& last) {
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                          last.created_at.time_since_epoch())
                          .count();
  return std::string(kPrefix) + std::to_string(micros) + "." + last.id;
}

std::optional<store::ListCursor> ParsePageToken(std::string_view token) {
  if (token.size() > kMaxTokenBytes || !token.starts_with(kPrefix)) return std::nullopt;
  token.remove_prefix(kPrefix.size());
  const size_t dot = token.find('.');
  if (dot == std::string_view::npos || dot == 0) return std::nullopt;
  store::ListCursor cursor;
  const std::string_view micros = token.substr(0, dot);
  const auto [end, error] =
      std::from_chars(micros.data(), micros.data() + micros.size(), cursor.created_unix_us);
  if (error != std::errc() || end != micros.data() + micros.size()) return std::nullopt;
  if (cursor.created_unix_us < 0 || cursor.created_unix_us > kMaxCreatedUnixUs) {
    return std::nullopt;
  }
  const auto id = checks::CheckId::Parse(token.substr(dot + 1));
  if (!id) return std::nullopt;
  cursor.id = id->str();
  return cursor;
}

}  // namespace lokahi::lokahid
