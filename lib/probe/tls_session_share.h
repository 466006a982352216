#pragma once
// TLS session resumption for https probes (ProberOptions::tls_resume, LOKAHI_TLS_RESUME). Internal
// to lokahi_probe; owned and used by one prober thread only, so nothing in it is locked.
//
// Every probe still opens a fresh TCP connection. What changes is the TLS handshake: a probe of an
// https origin (scheme, host and port of its URL) that made a successful full handshake less than
// `full_handshake_every` ago offers the session of an earlier probe of that origin, and a server
// that accepts it skips the certificate exchange and the key exchange's signatures. A probe makes a
// full handshake (no session offered) when:
//   - the origin has no successful full handshake on record, or its last is older than
//     `full_handshake_every` (so chain validity and expiry are verified on that schedule);
//   - the certificate read at that full handshake has passed its notAfter;
//   - a probe of the origin ended without an HTTP answer, for any reason, since its last
//     successful full handshake.
// A probe that offered a session the server refused has made a full handshake too, and counts as
// one. The certificate expiry reported by a resumed probe is the one read at the origin's latest
// full handshake, never one carried in the resumed session.
//
// libcurl 7.88's share keeps only 8 sessions (least recently used out), far fewer than the origins
// a worker probes, so each origin gets a share (CURL_LOCK_DATA_SSL_SESSION) of its own; redirect
// hops of its probes use the same share. A full handshake gets a new, empty share, which becomes
// the origin's once it succeeds, so later probes resume the session it made; probes still running
// on the old share keep it until they end. Origins not probed for `full_handshake_every` are
// forgotten (their next probe needs a full handshake anyway), and at most kMaxOrigins are kept.

#include <curl/curl.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "lib/probe/prober.h"

namespace lokahi::probe {

// The origin ("host:port", host in lower case, userinfo dropped) of an https URL; nullopt for any
// other scheme or a URL without a host.
std::optional<std::string> HttpsOrigin(std::string_view url);

class TlsSessionShare {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  // Origins keeping sessions at once (a few KB each: the session and the certificate chain it
  // carries). Past it, new origins' probes make full handshakes until a sweep makes room.
  static constexpr size_t kMaxOrigins = 20000;

  // `now` is read for the full-handshake schedule and to compare certificate expiry.
  TlsSessionShare(std::chrono::milliseconds full_handshake_every, Clock now);
  ~TlsSessionShare();
  TlsSessionShare(const TlsSessionShare&) = delete;
  TlsSessionShare& operator=(const TlsSessionShare&) = delete;

  // Configures `easy` (reset and configured for `url`, not yet started) to offer a session or to
  // make a full handshake, and to report which it made. Does nothing for a URL that is not https.
  // false when libcurl refused an option.
  bool Prepare(CURL* easy, std::string_view url);
  // The probe on `easy` is over (finished or abandoned, and removed from its multi handle): records
  // what its first TLS handshake was and, for a resumed one, sets `result`'s certificate expiry to
  // that of the origin's latest full handshake. Detaches `easy` from any share. Does nothing for an
  // easy that Prepare did not configure.
  void Finish(CURL* easy, ProbeResult& result);

  // The first TLS handshake of the probes Finish saw: full or resumed.
  uint64_t full_handshakes() const { return full_handshakes_; }
  uint64_t resumed_handshakes() const { return resumed_handshakes_; }
  size_t origins() const { return origins_.size(); }

 private:
  struct Origin;
  struct Probe;

  bool MayResume(const Origin& origin, std::chrono::system_clock::time_point now) const;
  void Sweep(std::chrono::system_clock::time_point now);

  const std::chrono::milliseconds full_handshake_every_;
  const Clock now_;
  std::unordered_map<std::string, std::shared_ptr<Origin>> origins_;
  std::unordered_map<CURL*, Probe> probes_;  // prepared, not yet finished
  std::chrono::system_clock::time_point next_sweep_{};
  uint64_t full_handshakes_ = 0;
  uint64_t resumed_handshakes_ = 0;
};

}  // namespace lokahi::probe
