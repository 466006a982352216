#include "lib/probe/tls_session_share.h"

#include <openssl/ssl.h>

#include <algorithm>
#include <cctype>

namespace lokahi::probe {
namespace {

// The SSL_CTX extra-data slot holding the Probe a connection's handshake reports to. libcurl makes
// an SSL_CTX per connection, so the slot is per connection.
int ProbeIndex() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

}  // namespace

std::optional<std::string> HttpsOrigin(std::string_view url) {
  constexpr std::string_view kScheme = "https://";
  if (!StartsWithNoCase(url, kScheme)) return std::nullopt;
  std::string_view authority = url.substr(kScheme.size());
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  if (authority.empty() || authority.front() == ':') return std::nullopt;
  std::string origin(authority);
  for (char& c : origin) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return origin;
}

namespace {

// What the first TLS handshake of a probe was, written from OpenSSL's callbacks.
struct HandshakeSeen {
  bool done = false;
  bool resumed = false;
};

// Called by OpenSSL on the prober thread, during a handshake of a prepared probe's connection. Only
// the first handshake counts: a redirect's later hops, and TLS 1.3's post-handshake messages (which
// report HANDSHAKE_DONE again), do not change what the probe began with.
void OnTlsInfo(const SSL* ssl, int where, int /*ret*/) noexcept {
  if ((where & SSL_CB_HANDSHAKE_DONE) == 0) return;
  auto* seen = static_cast<HandshakeSeen*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ProbeIndex()));
  if (seen == nullptr || seen->done) return;
  seen->done = true;
  seen->resumed = SSL_session_reused(ssl) == 1;
}

// libcurl's CURLOPT_SSL_CTX_FUNCTION: called with each new connection's SSL_CTX, before the
// handshake.
CURLcode OnSslContext(CURL*, void* ssl_context, void* seen) noexcept {
  auto* context = static_cast<SSL_CTX*>(ssl_context);
  if (SSL_CTX_set_ex_data(context, ProbeIndex(), seen) != 1) return CURLE_OUT_OF_MEMORY;
  SSL_CTX_set_info_callback(context, &OnTlsInfo);
  return CURLE_OK;
}

std::shared_ptr<CURLSH> NewSessionShare() {
  CURLSH* share = curl_share_init();
  if (share == nullptr) return nullptr;
  if (curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION) != CURLSHE_OK) {
    curl_share_cleanup(share);
    return nullptr;
  }
  return std::shared_ptr<CURLSH>(share, [](CURLSH* unused) { curl_share_cleanup(unused); });
}

}  // namespace

struct TlsSessionShare::Origin {
  // Sessions from the latest successful full handshake on; null before the first.
  std::shared_ptr<CURLSH> share;
  // A full handshake verified the chain and host name at `last_full`, and every probe since got an
  // HTTP answer.
  bool verified = false;
  std::chrono::system_clock::time_point last_full{};
  std::optional<std::chrono::system_clock::time_point> expires_at;  // read at `last_full`
  std::chrono::system_clock::time_point last_probed{};
};

struct TlsSessionShare::Probe {
  std::shared_ptr<Origin> origin;
  std::shared_ptr<CURLSH> share;  // kept until `easy` is detached from it
  HandshakeSeen seen;
};

TlsSessionShare::TlsSessionShare(std::chrono::milliseconds full_handshake_every, Clock now)
    : full_handshake_every_(full_handshake_every), now_(std::move(now)) {}

// Every probe has been finished by then (the prober finishes or abandons each before it goes).
TlsSessionShare::~TlsSessionShare() = default;

bool TlsSessionShare::MayResume(const Origin& origin,
                                std::chrono::system_clock::time_point now) const {
  if (!origin.verified || !origin.share) return false;
  // A clock that went back is no evidence the interval has not passed.
  if (now < origin.last_full || now - origin.last_full >= full_handshake_every_) return false;
  return !origin.expires_at || now < *origin.expires_at;
}

bool TlsSessionShare::Prepare(CURL* easy, std::string_view url) {
  std::optional<std::string> key = HttpsOrigin(url);
  if (!key) return true;
  const auto now = now_();
  if (now >= next_sweep_) Sweep(now);

  std::shared_ptr<Origin> origin;
  if (const auto found = origins_.find(*key); found != origins_.end()) {
    origin = found->second;
  } else if (origins_.size() < kMaxOrigins) {
    origin = std::make_shared<Origin>();
    origins_.emplace(std::move(*key), origin);
  } else {
    origin = std::make_shared<Origin>();  // not kept: a full handshake, session not kept
  }
  origin->last_probed = now;

  // A full handshake gets a new, empty share for the session it makes; once it succeeds, that share
  // becomes the origin's, so later probes resume the latest full handshake's session. Until then
  // they resume the previous one (probes running on a replaced share hold it until they finish).
  const bool resume = MayResume(*origin, now);
  Probe& probe = probes_[easy];
  probe = Probe{origin, resume ? origin->share : NewSessionShare(), HandshakeSeen{}};
  CURLcode code = CURLE_OK;
  const auto set = [&](CURLoption option, auto value) {
    if (code == CURLE_OK) code = curl_easy_setopt(easy, option, value);
  };
  set(CURLOPT_SSL_CTX_FUNCTION, &OnSslContext);
  set(CURLOPT_SSL_CTX_DATA, static_cast<void*>(&probe.seen));
  if (probe.share) {
    // Session ids on, in this origin's share: looked up (and offered) when `resume`, else the share
    // is new and empty, and the full handshake's session is stored in it.
    set(CURLOPT_SSL_SESSIONID_CACHE, 1L);
    set(CURLOPT_SHARE, probe.share.get());
  }
  return code == CURLE_OK;
}

void TlsSessionShare::Finish(CURL* easy, ProbeResult& result) {
  const auto found = probes_.find(easy);
  if (found == probes_.end()) return;
  Probe probe = std::move(found->second);
  probes_.erase(found);
  // curl_easy_reset keeps a handle's share: detach it before the share may go.
  curl_easy_setopt(easy, CURLOPT_SHARE, static_cast<CURLSH*>(nullptr));
  curl_easy_setopt(easy, CURLOPT_SSL_CTX_FUNCTION, static_cast<void*>(nullptr));
  curl_easy_setopt(easy, CURLOPT_SSL_CTX_DATA, static_cast<void*>(nullptr));
  if (result.stopped || result.not_started) return;  // says nothing about the target

  Origin& origin = *probe.origin;
  const bool answered = result.error.empty();
  if (probe.seen.done) {
    if (probe.seen.resumed) {
      ++resumed_handshakes_;
      if (origin.expires_at) result.tls_cert_expires_at = origin.expires_at;
    } else {
      ++full_handshakes_;
      if (answered) {
        origin.verified = true;
        origin.last_full = now_();
        origin.expires_at = result.tls_cert_expires_at;
        if (probe.share) origin.share = probe.share;
      }
    }
  }
  if (!answered) origin.verified = false;
}

void TlsSessionShare::Sweep(std::chrono::system_clock::time_point now) {
  for (auto it = origins_.begin(); it != origins_.end();) {
    const auto idle = now - it->second->last_probed;
    if (idle >= full_handshake_every_ || idle < idle.zero()) {
      it = origins_.erase(it);
    } else {
      ++it;
    }
  }
  next_sweep_ = now + std::max<std::chrono::system_clock::duration>(full_handshake_every_ / 4,
                                                                    std::chrono::seconds(1));
}

}  // namespace lokahi::probe
