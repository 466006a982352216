#include "lokahid/front/client_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>
#include <optional>

namespace lokahi::lokahid {

namespace {
std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The address `text` spells, as a socket address; nullopt when it is none.
std::optional<sockaddr_in6> Parse(std::string_view text) {
  if (text.size() > INET6_ADDRSTRLEN) return std::nullopt;
  const std::string copy(text);
  sockaddr_in6 v6{};
  v6.sin6_family = AF_INET6;
  if (inet_pton(AF_INET6, copy.c_str(), &v6.sin6_addr) == 1) return v6;
  in_addr v4{};
  if (inet_pton(AF_INET, copy.c_str(), &v4) != 1) return std::nullopt;
  // As IPv4-mapped IPv6, which the policy and AddressText treat as the IPv4 address.
  v6.sin6_addr.s6_addr[10] = 0xff;
  v6.sin6_addr.s6_addr[11] = 0xff;
  std::memcpy(&v6.sin6_addr.s6_addr[12], &v4, 4);
  return v6;
}
}  // namespace

TrustedProxies TrustedProxies::FromCidrs(const std::vector<std::string>& cidrs) {
  TrustedProxies proxies;
  proxies.trusted_ = probe::AddressPolicy::FromCidrs(cidrs);
  proxies.any_ = !cidrs.empty();
  return proxies;
}

bool TrustedProxies::Trusts(std::string_view address) const {
  const auto parsed = Parse(address);
  return parsed && trusted_.Denies(reinterpret_cast<const sockaddr&>(*parsed));
}

std::string TrustedProxies::ClientAddress(const PeerAddress& peer,
                                          std::string_view forwarded_for) const {
  if (!any_ || forwarded_for.empty() || !Trusts(peer.address)) return peer.address;
  std::string client = peer.address;
  while (!forwarded_for.empty()) {
    const auto comma = forwarded_for.rfind(',');
    const auto entry =
        Trim(comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1));
    forwarded_for =
        comma == std::string_view::npos ? std::string_view() : forwarded_for.substr(0, comma);
    const auto parsed = Parse(entry);
    if (!parsed) break;
    client = probe::AddressText(reinterpret_cast<const sockaddr&>(*parsed));
    if (!trusted_.Denies(reinterpret_cast<const sockaddr&>(*parsed))) break;
  }
  return client;
}

}  // namespace lokahi::lokahid
