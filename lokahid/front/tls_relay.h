#pragma once
// TLS on lokahid's one port (LOKAHI_TLS_CERT, LOKAHI_TLS_KEY). Neither gRPC's
// descriptor hand-off nor lib/http speaks TLS, so the relay terminates it: the
// acceptor hands it every connection that opens with a TLS record, the relay
// completes the handshake (deadline: handshake_deadline) and, by the protocol
// ALPN chose, gives one end of a socketpair to gRPC ("h2") or to the HTTP/1.1
// side ("http/1.1", or no ALPN) and copies between the TLS connection and the
// socketpair's other end.
//
// ALPN prefers http/1.1 when a client offers both: gRPC clients offer only h2
// (the HTTP/2 side serves nothing but gRPC), while curl, browsers and Go's
// net/http offer both and speak Twirp over HTTP/1.1.
//
// One thread and one epoll set serve every TLS connection; each holds at most
// two buffers of buffer_bytes once relaying. The socketpair end is recorded in
// the ConnectionRegistry under the TCP peer's address, so throttling and logs
// see the real client, and the registry's count stays one per connection.

#include <openssl/ssl.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "lib/logging/logger.h"
#include "lokahid/front/connection_registry.h"
#include "lokahid/front/port_acceptor.h"

namespace lokahi::lokahid {

struct SslContextFree {
  void operator()(SSL_CTX* context) const { SSL_CTX_free(context); }
};
using SslContext = std::unique_ptr<SSL_CTX, SslContextFree>;

// A server context for the PEM certificate chain and private key at these
// paths, offering ALPN h2 and http/1.1, TLS 1.2 at least. Throws
// std::invalid_argument naming the variable and the file at fault (unreadable,
// not PEM, key not matching the certificate).
SslContext MakeServerTlsContext(const std::string& certificate_path, const std::string& key_path);

struct TlsRelayOptions {
  std::chrono::milliseconds handshake_deadline{10000};
  size_t buffer_bytes = 16384;  // per direction, per relayed connection
};

class TlsRelay {
 public:
  // `registry` and `log` must outlive the relay. `handoffs.http2` and
  // `handoffs.http1` receive plaintext socketpair ends, on the relay's thread.
  TlsRelay(SslContext context, TlsRelayOptions options, ConnectionRegistry& registry,
           PortAcceptor::Handoffs handoffs, logging::Logger& log);
  ~TlsRelay();
  TlsRelay(const TlsRelay&) = delete;
  TlsRelay& operator=(const TlsRelay&) = delete;

  // Takes an accepted, non-blocking TCP socket recorded in the registry whose
  // first bytes are a TLS record. Thread-safe.
  void Adopt(int fd, const PeerAddress& peer);
  // TLS connections open (handshaking or relaying).
  size_t open() const { return open_.load(); }

 private:
  struct Connection;
  void Loop();
  void Pump(Connection& connection);
  bool FinishHandshake(Connection& connection);
  void Close(Connection& connection);

  SslContext context_;
  TlsRelayOptions options_;
  ConnectionRegistry& registry_;
  PortAcceptor::Handoffs handoffs_;
  logging::Logger& log_;
  int wake_fd_;
  int epoll_fd_;
  std::mutex mutex_;
  std::vector<std::pair<int, PeerAddress>> adopted_;  // guarded by mutex_
  std::atomic<size_t> open_{0};
  std::atomic<bool> stopped_{false};
  std::thread thread_;
};

}  // namespace lokahi::lokahid
