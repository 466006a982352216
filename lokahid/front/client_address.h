#pragma once
// Which address a request comes from: the connection's peer, or, when that peer is one of our
// own proxies (LOKAHI_TRUSTED_PROXIES), the client the proxies name in X-Forwarded-For. Anyone
// else's X-Forwarded-For is ignored, so a client cannot pick the address it is throttled under.

#include <string>
#include <string_view>
#include <vector>

#include "lib/probe/address_policy.h"
#include "lokahid/front/connection_registry.h"

namespace lokahi::lokahid {

class TrustedProxies {
 public:
  TrustedProxies() = default;  // trusts no one
  // CIDRs or single addresses; throws std::invalid_argument naming a bad entry.
  static TrustedProxies FromCidrs(const std::vector<std::string>& cidrs);

  // The peer's address unless the peer is trusted and `forwarded_for` (the X-Forwarded-For
  // header, "" when absent) names a client: then the rightmost address in it that is not a
  // trusted proxy (the one the last untrusted hop connected from). An entry that is no address
  // stops the walk at the proxy that wrote it.
  std::string ClientAddress(const PeerAddress& peer, std::string_view forwarded_for) const;

 private:
  bool Trusts(std::string_view address) const;
  bool any_ = false;
  probe::AddressPolicy trusted_;  // "denies" = is one of ours: the policy is a CIDR set
};

}  // namespace lokahi::lokahid
