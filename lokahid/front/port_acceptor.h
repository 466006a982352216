#pragma once
// lokahid's one port serves gRPC (HTTP/2) and HTTP/1.1: PortAcceptor accepts
// every connection itself, waits for the client's first bytes (peeked, never
// consumed) and hands the socket to the HTTP/2 side when they are the HTTP/2
// connection preface, to the HTTP/1.1 side otherwise.
//
// Connections handed to gRPC by descriptor skip gRPC's own resource quota, so
// the acceptor bounds the connections open at once itself (counted in the
// ConnectionRegistry, which learns of closes by looking): over the bound a new
// connection is closed at once. A client that sends nothing within the
// first-bytes deadline is closed without reaching either server.

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "lib/logging/logger.h"
#include "lokahid/front/connection_registry.h"

namespace lokahi::lokahid {

enum class WireProtocol { kHttp2, kHttp1 };

// What a connection speaks, judged from the bytes it sent first; nullopt while
// they are a proper prefix of the HTTP/2 preface ("PRI *
// HTTP/2.0\r\n\r\nSM\r\n\r\n") and so cannot tell yet.
std::optional<WireProtocol> ClassifyFirstBytes(std::string_view first);

// A listening TCP socket on `address` (an IPv4 or IPv6 literal,
// LOKAHI_LISTEN_ADDRESS) and `port`, non-blocking, close-on-exec. An empty
// address means every address of the host (IPv6 and IPv4 on one socket where
// the host has IPv6). Throws std::invalid_argument for an address that is no
// IP literal, std::system_error naming the address and port otherwise.
int ListenOnPort(const std::string& address, int port, int backlog = 1024);
// The port a listening socket is bound to.
int BoundPort(int listen_fd);

struct PortAcceptorOptions {
  size_t max_connections = 4096;
  std::chrono::milliseconds first_bytes_deadline{10000};
};

class PortAcceptor {
 public:
  // Receives an accepted, non-blocking socket and owns it from then on. Called
  // on the acceptor's thread: it must not block.
  using Handoff = std::function<void(int fd, const PeerAddress& peer)>;
  struct Handoffs {
    Handoff http2;
    Handoff http1;
    // Set when the port speaks TLS: connections opening with a TLS record go here (the relay
    // keeps the registry entry), and plaintext ones of either protocol are refused, never
    // served in the clear.
    Handoff tls;
  };

  // Takes ownership of `listen_fd` and starts accepting on a thread of its own.
  // `registry` and `log` must outlive the acceptor.
  PortAcceptor(int listen_fd, PortAcceptorOptions options, ConnectionRegistry& registry,
               Handoffs handoffs, logging::Logger& log);
  // Stops accepting, closes the listener and the connections still undecided.
  ~PortAcceptor();
  PortAcceptor(const PortAcceptor&) = delete;
  PortAcceptor& operator=(const PortAcceptor&) = delete;

  // Stops accepting new connections (SIGTERM: the listener closes first).
  // Idempotent.
  void Stop();
  int port() const { return port_; }
  // Connections closed at once because the bound was reached, since start.
  uint64_t refused() const { return refused_.load(); }
  // Plaintext connections refused because the port speaks TLS, since start.
  uint64_t plaintext_refused() const { return plaintext_refused_.load(); }

 private:
  void Loop();

  int listen_fd_;
  int wake_fd_;
  int epoll_fd_;
  int port_;
  PortAcceptorOptions options_;
  ConnectionRegistry& registry_;
  Handoffs handoffs_;
  logging::Logger& log_;
  std::atomic<uint64_t> refused_{0};
  std::atomic<uint64_t> plaintext_refused_{0};
  std::atomic<bool> stopped_{false};
  std::thread thread_;
};

}  // namespace lokahi::lokahid
