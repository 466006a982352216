#include "lib/probe/address_policy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <charconv>
#include <cstring>
#include <optional>
#include <stdexcept>

namespace lokahi::probe {
namespace {

using Bytes = std::array<uint8_t, 16>;

constexpr int kMappedPrefixBits = 96;  // ::ffff:0:0/96 holds IPv4

Bytes MappedFromV4(const in_addr& v4) {
  Bytes bytes{};
  bytes[10] = 0xff;
  bytes[11] = 0xff;
  std::memcpy(bytes.data() + 12, &v4, 4);
  return bytes;
}

bool IsMappedV4(const Bytes& bytes) {
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return std::memcmp(bytes.data(), kMapped, sizeof kMapped) == 0;
}

std::optional<Bytes> BytesOf(const sockaddr& address) {
  if (address.sa_family == AF_INET) {
    sockaddr_in v4;
    std::memcpy(&v4, &address, sizeof v4);
    return MappedFromV4(v4.sin_addr);
  }
  if (address.sa_family == AF_INET6) {
    sockaddr_in6 v6;
    std::memcpy(&v6, &address, sizeof v6);
    Bytes bytes;
    std::memcpy(bytes.data(), &v6.sin6_addr, 16);
    return bytes;
  }
  return std::nullopt;
}

bool PrefixMatches(const Bytes& address, const Bytes& prefix, int bits) {
  const int whole = bits / 8;
  if (std::memcmp(address.data(), prefix.data(), whole) != 0) return false;
  const int rest = bits % 8;
  if (rest == 0) return true;
  const uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (address[whole] & mask) == (prefix[whole] & mask);
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

[[noreturn]] void ThrowInvalid(std::string_view entry, std::string_view why) {
  throw std::invalid_argument("invalid CIDR \"" + std::string(entry) + "\": " + std::string(why));
}

}  // namespace

AddressPolicy AddressPolicy::FromCidrs(const std::vector<std::string>& cidrs) {
  AddressPolicy policy;
  for (const std::string& raw : cidrs) {
    const std::string_view entry = Trim(raw);
    if (entry.empty()) ThrowInvalid(raw, "empty entry");
    const size_t slash = entry.find('/');
    const std::string address(entry.substr(0, slash));

    Range range{};
    int max_bits = 0;
    in_addr v4;
    in6_addr v6;
    if (inet_pton(AF_INET, address.c_str(), &v4) == 1) {
      range.prefix = MappedFromV4(v4);
      max_bits = 32;
    } else if (inet_pton(AF_INET6, address.c_str(), &v6) == 1) {
      std::memcpy(range.prefix.data(), &v6, 16);
      max_bits = 128;
    } else {
      ThrowInvalid(entry, "\"" + address + "\" is not an IPv4 or IPv6 address");
    }

    int bits = max_bits;
    if (slash != std::string_view::npos) {
      const std::string_view length = entry.substr(slash + 1);
      const auto [end, error] = std::from_chars(length.data(), length.data() + length.size(), bits);
      if (length.empty() || error != std::errc() || end != length.data() + length.size() ||
          bits < 0 || bits > max_bits) {
        ThrowInvalid(entry, "prefix length must be 0-" + std::to_string(max_bits) + " for " +
                                (max_bits == 32 ? "IPv4" : "IPv6"));
      }
    }
    range.bits = max_bits == 32 ? kMappedPrefixBits + bits : bits;
    policy.denied_.push_back(range);
  }
  return policy;
}

bool AddressPolicy::Denies(const sockaddr& address) const {
  const std::optional<Bytes> bytes = BytesOf(address);
  if (!bytes) return true;
  for (const Range& range : denied_) {
    if (PrefixMatches(*bytes, range.prefix, range.bits)) return true;
  }
  return false;
}

std::string AddressText(const sockaddr& address) {
  const std::optional<Bytes> bytes = BytesOf(address);
  if (!bytes) return "address of family " + std::to_string(address.sa_family);
  char text[INET6_ADDRSTRLEN] = {};
  if (IsMappedV4(*bytes)) {
    inet_ntop(AF_INET, bytes->data() + 12, text, sizeof text);
  } else {
    inet_ntop(AF_INET6, bytes->data(), text, sizeof text);
  }
  return text;
}

}  // namespace lokahi::probe
