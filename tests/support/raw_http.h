#pragma once
// A plain-socket HTTP/1.1 client to 127.0.0.1 for tests that must send what a
// polite client library never would: trickled headers, lying Content-Lengths,
// endless bodies, gzip bombs.

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace lokahi::testing {

struct RawResponse {
  std::string version;  // "HTTP/1.1"
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;                            // by Content-Length (none for HEAD)

  std::string Header(const std::string& lower_name) const;
};

// One TCP connection. Every call is bounded by the timeout it takes.
class RawConnection {
 public:
  explicit RawConnection(int port);  // throws std::runtime_error when it cannot connect
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  // Sends all of `bytes`; false when the peer closed or reset the connection.
  bool Send(std::string_view bytes);
  // Reads one response; nullopt when the connection closed or `timeout` passed
  // first. `head_request`: the response has no body whatever its Content-Length
  // says.
  std::optional<RawResponse> ReadResponse(std::chrono::milliseconds timeout,
                                          bool head_request = false);
  // True when the peer closes (or resets) the connection within `timeout`;
  // bytes it sends meanwhile are dropped.
  bool ClosedWithin(std::chrono::milliseconds timeout);
  // Bytes received but not yet consumed by ReadResponse.
  const std::string& unread() const { return received_; }

 private:
  // Appends what arrives within `timeout`; false when nothing did (closed or
  // timed out).
  bool Receive(std::chrono::milliseconds timeout);

  int fd_ = -1;
  std::string received_;
};

// Sends `head` (request line and headers, ending in the blank line) and then
// `body_bytes` of body (chunked framing when `chunked`), watching for an answer
// all along; stops sending once one arrives. Returns that answer, or nullopt
// when none came within `timeout`.
struct StreamedRequest {
  std::optional<RawResponse> response;
  std::size_t body_bytes_sent = 0;
};
StreamedRequest SendWhileWatching(int port, const std::string& head, std::string_view body,
                                  std::size_t body_bytes, bool chunked,
                                  std::chrono::milliseconds timeout);

// A gzip stream of `copies` gzip members, each 10 MiB of zeros deflated (~10 KB
// each): decoded, it is `copies` × 10 MiB. 100 copies ≈ 1 MB that inflates to 1
// GiB.
std::string GzipBomb(int copies);

// The body attacks of issue 13, each on a connection of its own, after `request_head` (request
// line and headers, without the blank line, e.g. "POST / HTTP/1.1\r\nHost: x\r\n"): a gzip bomb
// (~1 MB, 1 GiB inflated) sent with Content-Encoding: gzip, a 300 MiB body announced by
// Content-Length, and 300 MiB chunked. Holds the status each got (0 when none came).
struct BodyAttackStatuses {
  int gzip_bomb = 0;
  int huge_length = 0;
  int huge_chunked = 0;
};
BodyAttackStatuses AttackWithBodies(int port, const std::string& request_head);

// Opens two connections that trickle request-header bytes (slowloris) and meanwhile asks
// GET /healthz `probes` times, each on a new connection; returns how many got 200 within 1 s.
int HealthzAnsweredWhileTrickling(int port, int probes);

// A process's peak resident set (VmHWM in /proc/PID/status), in KiB; -1 when
// unreadable.
long PeakRssKib(int pid);

}  // namespace lokahi::testing
