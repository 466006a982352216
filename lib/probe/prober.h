#pragma once
// HTTP probing: what a caller asks for, what it gets back, and the interface a prober offers.
//
// A failed probe is data, not an exception: every submitted request comes back exactly once as a
// ProbeResult, with `error` saying why when the target gave no usable HTTP answer.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace lokahi::probe {

enum class IpResolve { kAny, kV4, kV6 };

struct ProbeRequest {
  uint64_t tag;  // caller's handle, returned in the result
  std::string url;
  // Whole-probe deadline: DNS, connect, TLS, redirects and reading. There is no "no timeout":
  // values below 1 mean 1 ms.
  int timeout_ms;
  // When set, a request still waiting for an in-flight slot at this time is not started: it
  // comes back with `not_started` set. A probe that starts too late to mean anything (its slot
  // has passed) only delays the ones behind it.
  std::optional<std::chrono::system_clock::time_point> start_by = std::nullopt;
  // How to ask; the defaults are lokahi's GET. Header lines are "Name: value"; their values may
  // hold tokens, so the prober never logs or reports them.
  std::string method = {};  // empty = GET; HEAD reads no body
  std::vector<std::string> header_lines = {};
  std::string body = {};         // sent as is (with POST unless method says otherwise)
  bool follow_redirects = true;  // at most ProberOptions::max_redirects hops
  IpResolve ip_resolve = IpResolve::kAny;
};

// Exactly one of `status_code` and `error` is set: a status means the target answered (any status,
// judging it is the caller's job); an error means it gave no usable answer, even when a status line
// arrived before the failure (e.g. headers too large, a redirect loop, a body that timed out).
struct ProbeResult {
  uint64_t tag = 0;
  int status_code = 0;  // 0 = no HTTP answer
  // Phase durations. With redirects each phase is summed over the hops.
  int64_t total_ns = 0, dns_ns = 0, connect_ns = 0, tls_ns = 0, first_byte_ns = 0;
  // Empty when the target answered with an HTTP status; else a reason a user can act on, e.g.
  // "connection refused", "timed out after 10000 ms", "too many redirects (max 5)",
  // "address 169.254.169.254 denied by LOKAHI_EGRESS_DENY", "response headers too large".
  std::string error;
  std::chrono::system_clock::time_point started_at;  // when the transfer began (not when queued)
  // notAfter of the certificate the first https hop presented; https URLs only.
  std::optional<std::chrono::system_clock::time_point> tls_cert_expires_at;
  // Body bytes accepted. Reading stops at ProberOptions::max_body_bytes; a capped body is not an
  // error (the status already arrived), it only sets `body_capped`.
  int64_t body_bytes = 0;
  bool body_capped = false;
  // Cut off (or never started) because the prober stopped: the result says nothing about the
  // target, and a caller judging health must not treat it as an outage.
  bool stopped = false;
  // Never started: it was still queued at its `start_by`. Says nothing about the target.
  bool not_started = false;
};

struct ProberOptions {
  size_t max_in_flight = 1000;          // transfers at once; the rest wait in our own queue
  size_t max_body_bytes = 64 * 1024;    // read cap per probe; the body is discarded
  size_t max_header_bytes = 64 * 1024;  // per response; beyond → "response headers too large"
  long max_redirects = 5;
  std::string user_agent = "lokahi-cpp healthworker";
  // Connections to these ranges are refused, checked on the address actually connected.
  std::vector<std::string> egress_deny_cidrs = {"169.254.0.0/16", "fe80::/10", "0.0.0.0/8"};
  // Empty = no proxy; proxy environment variables are always ignored. Through a proxy the deny
  // list can only see the proxy's address, so egress policy becomes the proxy's job.
  std::string proxy;
  std::string ca_bundle_path;  // empty = the system's CA bundle
  // A health check must see a real connect (and a full TLS handshake), so by default no connection
  // or TLS session is reused. false allows keep-alive; for measurements, not for health checks.
  bool fresh_connection_per_probe = true;
  // Still a fresh connection per probe, but https probes resume the TLS session of an earlier
  // probe of the same origin, with a full handshake at least every `tls_full_handshake_every` per
  // origin (tls_session_share.h says exactly when). What a resumed probe proves: README.md.
  bool tls_resume = false;
  std::chrono::milliseconds tls_full_handshake_every{std::chrono::minutes(10)};
  // Once the oldest waiting request has waited this long, the newest starts first (see
  // waiting_queue.h): under overload probes start on time and the backlog expires, counted.
  std::chrono::milliseconds newest_first_after{1000};
};

// Thread-safety: Submit, Queued and InFlight may be called from any thread.
class Prober {
 public:
  using CompletionHandler = std::function<void(std::vector<ProbeResult>&&)>;
  virtual ~Prober() = default;
  // Never blocks on I/O. Requests submitted after Stop come back at once, on the caller's thread,
  // with error "prober stopped".
  virtual void Submit(std::vector<ProbeRequest> requests) = 0;
  virtual size_t Queued() const = 0;  // waiting for an in-flight slot
  virtual size_t InFlight() const = 0;
  // Stops taking work (queued requests are not started); waits up to `grace` for in-flight
  // probes, then completes every remaining (in-flight or queued) request with error "prober
  // stopped" and `stopped` set, so nothing is silently lost. Returns once every result has been
  // handed to the completion handler. Idempotent.
  virtual void Stop(std::chrono::milliseconds grace) = 0;
};

}  // namespace lokahi::probe
