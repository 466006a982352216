#pragma once
// The one HTTP/1.1 server layer every listener of ours runs on (ops ports, receivers,
// duke-of-york, lokahid's HTTP side), so the rules that keep a hostile client from hurting a
// process live in one place:
// - a request carrying any Content-Encoding gets 415 before its body is read (bodies are never
//   inflated); a Transfer-Encoding other than chunked gets 501;
// - a Content-Length above `max_body_bytes` gets 413 at once, without reading; a malformed one
//   (e.g. -1) gets 400 at once; a chunked body is cut off with 413 once the bytes received pass
//   the limit; with `max_body_bytes` 0 any body gets 413; headers over 16 KiB get 431;
// - a request's headers must arrive whole within `header_deadline` (total, not per byte), its body
//   within `body_deadline`; an idle kept-alive connection is closed after `idle_timeout`;
// - at most `max_connections` are open at once: more are closed as soon as they are accepted;
// - handlers run on their own threads, never on the I/O threads, so a slow handler or a slow
//   client never stalls another connection;
// - every answer carries Content-Type (text/plain when the handler set none) and Content-Length;
//   an answer to HEAD has no body; an `Upgrade` (h2c) is ignored and answered as HTTP/1.1;
//   HTTP/1.0 and keep-alive work as the client asks.
// Client mistakes are logged at info, never at error.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lib/logging/logger.h"

namespace lokahi::http {

// Header fields in the order they were added. Names compare case-insensitively.
class Headers {
 public:
  using Field = std::pair<std::string, std::string>;  // name, value

  // The value of the first field named `name`; nullopt when there is none.
  std::optional<std::string_view> Get(std::string_view name) const;
  void Add(std::string name, std::string value);
  // Removes every field named `name`, then adds one.
  void Set(std::string name, std::string value);
  bool Has(std::string_view name) const { return Get(name).has_value(); }

  std::vector<Field>::const_iterator begin() const { return fields_.begin(); }
  std::vector<Field>::const_iterator end() const { return fields_.end(); }
  std::size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }

 private:
  std::vector<Field> fields_;
};

// True when `a` and `b` are equal ignoring ASCII case.
bool EqualsIgnoringCase(std::string_view a, std::string_view b);

struct Request {
  std::string method;  // "POST"
  std::string target;  // raw request-target, "/twirp/x?y"
  std::string path;    // target without the query
  std::string query;   // after '?', raw
  Headers headers;
  std::string body;          // already size-checked; never decoded from Content-Encoding
  std::string peer_address;  // "127.0.0.1", "::1"; an IPv4-mapped IPv6 peer as a dotted quad
  uint16_t peer_port = 0;
};

// Content-Length, Transfer-Encoding and Connection set by a handler are replaced by the layer's
// own (a handler's "Connection: close" is honoured).
struct Response {
  int status = 200;
  Headers headers;
  std::string body;
};

// A short text answer: `status` with `text` + "\n" as text/plain.
Response TextResponse(int status, std::string_view text);

// Called on the handler threads, concurrently. An exception it throws is answered 500 and logged.
using Handler = std::function<Response(const Request&)>;

struct ServerLimits {
  // 0 = no request body accepted at all (ops ports).
  size_t max_body_bytes = 1 << 20;
  // Paths (exact, query ignored) whose bodies have a limit of their own instead of max_body_bytes
  // (lokahid's POST /events takes arrays of 10,000 alerts).
  std::vector<std::pair<std::string, size_t>> path_body_limits;
  // The limit for a request-target.
  size_t BodyLimitFor(std::string_view target) const;
  // TOTAL time to receive a request's headers, not renewed per byte.
  std::chrono::milliseconds header_deadline{10000};
  std::chrono::milliseconds body_deadline{30000};
  // Keep-alive between requests.
  std::chrono::milliseconds idle_timeout{60000};
  // Beyond it new connections are closed at once.
  size_t max_connections = 1024;
  int io_threads = 1;
  // Handlers run here, never on I/O threads, so a slow handler or slow client never stalls
  // other connections.
  int handler_threads = 2;
};

// Thread-safe; the handler is called concurrently. Threads start at construction.
class Server {
 public:
  // `log` must outlive the server.
  Server(Handler handler, ServerLimits limits, logging::Logger& log);
  ~Server();  // = Stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds (SO_REUSEADDR, not SO_REUSEPORT) and accepts on its own threads. Returns the bound port
  // (port 0 = ephemeral). Throws std::runtime_error naming address:port when it cannot bind.
  uint16_t Listen(const std::string& address, uint16_t port);
  // Serves a TCP connection accepted elsewhere (lokahid's one-port acceptor peeks the first bytes
  // with MSG_PEEK, so nothing has been consumed). Takes ownership of fd.
  void Adopt(int fd, std::string peer_address, uint16_t peer_port);
  // Stops accepting, lets requests in progress finish (bounded), closes connections. Idempotent.
  // Waits for handlers under way to return: never call it from a handler.
  void Stop();

  // Connections open right now (accepted or adopted, not yet closed).
  size_t open_connections() const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace lokahi::http
