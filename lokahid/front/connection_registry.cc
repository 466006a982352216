#include "lokahid/front/connection_registry.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/stat.h>

#include <charconv>

#include "lib/probe/address_policy.h"

namespace lokahi::lokahid {

PeerAddress PeerOf(const sockaddr& address) {
  PeerAddress peer{probe::AddressText(address), 0};
  if (address.sa_family == AF_INET) {
    peer.port = ntohs(reinterpret_cast<const sockaddr_in&>(address).sin_port);
  } else if (address.sa_family == AF_INET6) {
    peer.port = ntohs(reinterpret_cast<const sockaddr_in6&>(address).sin6_port);
  }
  return peer;
}

bool ConnectionRegistry::StillOpen(int fd, const Entry& entry) {
  struct stat now {};
  return fstat(fd, &now) == 0 && now.st_dev == entry.device && now.st_ino == entry.inode;
}

void ConnectionRegistry::Add(int fd, PeerAddress peer) {
  struct stat identity {};
  if (fstat(fd, &identity) != 0) return;
  std::lock_guard lock(mutex_);
  entries_.insert_or_assign(fd, Entry{identity.st_dev, identity.st_ino, std::move(peer)});
}

void ConnectionRegistry::Remove(int fd) {
  std::lock_guard lock(mutex_);
  entries_.erase(fd);
}

std::optional<PeerAddress> ConnectionRegistry::PeerOfDescriptor(int fd) const {
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(fd);
  if (it == entries_.end() || !StillOpen(fd, it->second)) return std::nullopt;
  return it->second.peer;
}

namespace {
int ParsePort(std::string_view text) {
  int port = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), port);
  return error == std::errc() && end == text.data() + text.size() ? port : 0;
}

// "ipv4:203.0.113.7:5000" or "ipv6:[2001:db8::1]:5000" as gRPC writes peers it
// accepted.
std::optional<PeerAddress> ParseGrpcAddress(std::string_view peer) {
  sockaddr_in6 v6{};
  sockaddr_in v4{};
  if (peer.starts_with("ipv4:")) {
    peer.remove_prefix(5);
    const auto colon = peer.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    const std::string host(peer.substr(0, colon));
    v4.sin_family = AF_INET;
    if (inet_pton(AF_INET, host.c_str(), &v4.sin_addr) != 1) return std::nullopt;
    return PeerAddress{probe::AddressText(reinterpret_cast<const sockaddr&>(v4)),
                       ParsePort(peer.substr(colon + 1))};
  }
  if (peer.starts_with("ipv6:[")) {
    peer.remove_prefix(6);
    const auto close = peer.find("]:");
    if (close == std::string_view::npos) return std::nullopt;
    std::string host(peer.substr(0, close));
    if (const auto zone = host.find('%'); zone != std::string::npos) host.resize(zone);
    v6.sin6_family = AF_INET6;
    if (inet_pton(AF_INET6, host.c_str(), &v6.sin6_addr) != 1) return std::nullopt;
    return PeerAddress{probe::AddressText(reinterpret_cast<const sockaddr&>(v6)),
                       ParsePort(peer.substr(close + 2))};
  }
  return std::nullopt;
}
}  // namespace

std::optional<PeerAddress> ConnectionRegistry::PeerOfGrpc(std::string_view grpc_peer) const {
  if (grpc_peer.starts_with("fd:")) {
    int fd = -1;
    const auto digits = grpc_peer.substr(3);
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), fd);
    if (error != std::errc() || end != digits.data() + digits.size() || fd < 0) return std::nullopt;
    return PeerOfDescriptor(fd);
  }
  return ParseGrpcAddress(grpc_peer);
}

size_t ConnectionRegistry::Sweep() {
  std::lock_guard lock(mutex_);
  std::erase_if(entries_, [](const auto& item) { return !StillOpen(item.first, item.second); });
  return entries_.size();
}

size_t ConnectionRegistry::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace lokahi::lokahid
