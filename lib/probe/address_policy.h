#pragma once
// Egress policy: which remote addresses a probe may connect to.
//
// Pure logic, no I/O. It judges a socket address, not a host name, so it is applied to the address
// actually being connected (see CurlMultiProber): redirects, DNS rebinding and odd spellings such
// as "127.1" or "2130706433" are resolved by then and cannot get around it. IPv4-mapped IPv6
// (::ffff:a.b.c.d) is judged as the IPv4 address it carries.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

struct sockaddr;

namespace lokahi::probe {

// LOKAHI_EGRESS_DENY's default for every daemon that connects out: link-local (cloud metadata
// 169.254.169.254) and the "this host" addresses 0.0.0.0/8 and :: (which Linux connects to
// loopback). Loopback and private ranges stay allowed: self-hosted monitors watch internal
// services; list 127.0.0.0/8, ::1/128, 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 and fc00::/7
// too to deny them.
inline const std::vector<std::string>& DefaultEgressDeny() {
  static const std::vector<std::string> kDefault = {"169.254.0.0/16", "fe80::/10", "0.0.0.0/8",
                                                    "::/128"};
  return kDefault;
}

class AddressPolicy {
 public:
  AddressPolicy() = default;  // denies nothing

  // Parses CIDRs ("169.254.0.0/16", "fe80::/10") or bare addresses (a single host). Throws
  // std::invalid_argument naming the offending entry and why, e.g.
  // `invalid CIDR "10.0.0.0/33": prefix length must be 0-32 for IPv4`.
  static AddressPolicy FromCidrs(const std::vector<std::string>& cidrs);

  // True when `address` (AF_INET or AF_INET6) falls in a denied range. Other families are denied.
  bool Denies(const sockaddr& address) const;

 private:
  // Every range is kept as IPv6; IPv4 ranges live in ::ffff:0:0/96.
  struct Range {
    std::array<uint8_t, 16> prefix;
    int bits;
  };
  std::vector<Range> denied_;
};

// "169.254.169.254", "fe80::1"; IPv4-mapped IPv6 printed as IPv4.
std::string AddressText(const sockaddr& address);

}  // namespace lokahi::probe
