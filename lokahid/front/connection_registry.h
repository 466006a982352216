#pragma once
// Who is at the other end of each connection lokahid's port accepted: the one
// client-address lookup every transport uses (auth throttling, logs). The
// acceptor records a connection before handing it to gRPC or to the HTTP/1.1
// server; handlers look their caller up here.
//
// gRPC names a connection handed to it by descriptor "fd:N", not by address,
// and closes it without telling us, after which the kernel may give N to a new
// socket. So an entry remembers the socket's identity (device and inode) beside
// the number: an entry whose descriptor no longer names that socket is dead,
// lookups ignore it and Sweep drops it. While a gRPC call runs, its transport
// holds the connection (and so descriptor N) open, so "fd:N" names the caller
// for the call's whole life. Thread-safe.

#include <sys/types.h>

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

struct sockaddr;

namespace lokahi::lokahid {

struct PeerAddress {
  std::string address;  // "203.0.113.7" (IPv4-mapped IPv6 shown as IPv4), "2001:db8::1"
  int port = 0;
};

// The address and port of a socket address (AF_INET or AF_INET6).
PeerAddress PeerOf(const sockaddr& address);

class ConnectionRegistry {
 public:
  // Records the open socket `fd`, replacing whatever an earlier socket numbered
  // `fd` left.
  void Add(int fd, PeerAddress peer);
  // For closes the caller makes itself (a connection refused before any
  // hand-off).
  void Remove(int fd);
  // The peer of the socket open as `fd`, if it is one this registry recorded.
  std::optional<PeerAddress> PeerOfDescriptor(int fd) const;
  // The peer of a gRPC caller from grpc::ServerContext::peer(): "fd:N" for
  // connections handed to gRPC by descriptor, "ipv4:a.b.c.d:p" and "ipv6:[…]:p"
  // for ones it accepted itself.
  std::optional<PeerAddress> PeerOfGrpc(std::string_view grpc_peer) const;
  // Drops the entries of closed sockets; returns how many recorded connections
  // are still open.
  size_t Sweep();
  // Connections recorded, closed ones not yet swept included (an upper bound of
  // the open ones).
  size_t size() const;

 private:
  struct Entry {
    dev_t device;
    ino_t inode;
    PeerAddress peer;
  };
  static bool StillOpen(int fd, const Entry& entry);

  mutable std::mutex mutex_;
  std::unordered_map<int, Entry> entries_;  // by descriptor; guarded by mutex_
};

}  // namespace lokahi::lokahid
