#include "lib/probe/transfer.h"

#include <strings.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "lib/probe/tls_certificate.h"

namespace lokahi::probe {
namespace {

constexpr char kAllowedProtocols[] = "http,https";
constexpr long kCaCacheSeconds = 24 * 60 * 60;

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         strncasecmp(text.data(), prefix.data(), prefix.size()) == 0;
}

int64_t MicrosToNanos(curl_off_t micros) { return static_cast<int64_t>(micros) * 1000; }

}  // namespace

CurlGlobal::CurlGlobal() {
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    throw std::runtime_error("libcurl global initialisation failed");
  }
}

Transfer::Transfer(const ProberOptions& options, const AddressPolicy& policy)
    : options_(options), policy_(policy), easy_(curl_easy_init()) {
  if (!easy_) throw std::runtime_error("curl_easy_init failed (out of memory?)");
}

bool Transfer::Start(ProbeRequest request) {
  result_ = ProbeResult{};
  result_.tag = request.tag;
  url_ = std::move(request.url);
  timeout_ms_ = request.timeout_ms;
  method_ = std::move(request.method);
  request_body_ = std::move(request.body);
  follow_redirects_ = request.follow_redirects;
  ip_resolve_ = request.ip_resolve;
  request_headers_.reset();
  if (!request_body_.empty()) {
    // No "Expect: 100-continue" round trip (libcurl adds one to bodies over 1 KB): a target that
    // ignores it would cost every probe a second of waiting.
    request.header_lines.emplace_back("Expect:");
  }
  for (const auto& line : request.header_lines) {
    curl_slist* appended = curl_slist_append(request_headers_.get(), line.c_str());
    if (appended == nullptr) {
      configure_error_ = "could not configure probe: out of memory for its headers";
      return false;
    }
    if (!request_headers_) request_headers_.reset(appended);
  }
  certificate_read_ = false;
  response_header_bytes_ = 0;
  headers_too_large_ = false;
  denied_address_.clear();
  configure_error_.clear();
  error_buffer_[0] = '\0';
  started_ = std::chrono::steady_clock::now();
  result_.started_at = std::chrono::system_clock::now();

  curl_easy_reset(easy_.get());
  const CURLcode code = Configure();
  if (code != CURLE_OK) {
    configure_error_ = std::string("could not configure probe: ") + curl_easy_strerror(code);
    return false;
  }
  return true;
}

CURLcode Transfer::Configure() {
  CURL* easy = easy_.get();
  CURLcode code = CURLE_OK;
  const auto set = [&](CURLoption option, auto value) {
    if (code == CURLE_OK) code = curl_easy_setopt(easy, option, value);
  };
  set(CURLOPT_PRIVATE, static_cast<void*>(this));
  set(CURLOPT_ERRORBUFFER, error_buffer_);
  set(CURLOPT_URL, url_.c_str());
  set(CURLOPT_NOSIGNAL, 1L);
  set(CURLOPT_PROTOCOLS_STR, kAllowedProtocols);
  set(CURLOPT_REDIR_PROTOCOLS_STR, kAllowedProtocols);
  set(CURLOPT_FOLLOWLOCATION, follow_redirects_ ? 1L : 0L);
  set(CURLOPT_MAXREDIRS, options_.max_redirects);
  if (method_ == "HEAD") {
    set(CURLOPT_NOBODY, 1L);
  } else if (method_ == "POST" || !request_body_.empty()) {
    // POSTFIELDS makes it a POST; CUSTOMREQUEST renames it for PUT, PATCH, DELETE, OPTIONS.
    set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request_body_.size()));
    set(CURLOPT_POSTFIELDS, request_body_.c_str());
    if (!method_.empty() && method_ != "POST") set(CURLOPT_CUSTOMREQUEST, method_.c_str());
  } else if (!method_.empty() && method_ != "GET") {
    set(CURLOPT_CUSTOMREQUEST, method_.c_str());
  }
  if (request_headers_) set(CURLOPT_HTTPHEADER, request_headers_.get());
  if (ip_resolve_ == IpResolve::kV4) set(CURLOPT_IPRESOLVE, static_cast<long>(CURL_IPRESOLVE_V4));
  if (ip_resolve_ == IpResolve::kV6) set(CURLOPT_IPRESOLVE, static_cast<long>(CURL_IPRESOLVE_V6));
  set(CURLOPT_TIMEOUT_MS, static_cast<long>(std::max(timeout_ms_, 1)));
  set(CURLOPT_USERAGENT, options_.user_agent.c_str());
  // No CURLOPT_ACCEPT_ENCODING: bodies are never decompressed, so the body cap counts bytes on the
  // wire and a compression bomb cannot inflate inside us.
  // An empty proxy overrides http_proxy and friends from the environment.
  set(CURLOPT_PROXY, options_.proxy.c_str());
  if (!options_.ca_bundle_path.empty()) set(CURLOPT_CAINFO, options_.ca_bundle_path.c_str());
  // libcurl caches the parsed CA store only when it comes from a CA file alone. Debian's build also
  // defaults CApath to /etc/ssl/certs, which silently disables the cache and re-reads the bundle on
  // every handshake (~6x the CPU of a cached one); the bundle holds the same certificates.
  set(CURLOPT_CAPATH, static_cast<const char*>(nullptr));
  set(CURLOPT_CA_CACHE_TIMEOUT, kCaCacheSeconds);
  if (options_.fresh_connection_per_probe) {
    set(CURLOPT_FRESH_CONNECT, 1L);
    set(CURLOPT_FORBID_REUSE, 1L);
    set(CURLOPT_SSL_SESSIONID_CACHE, 0L);
  }
  // No CURLOPT_MAXFILESIZE: it fails a transfer on a large Content-Length before the body is read,
  // which would also cut a redirect hop short. The write callback below caps reading instead.
  set(CURLOPT_WRITEFUNCTION, &Transfer::OnBody);
  set(CURLOPT_WRITEDATA, static_cast<void*>(this));
  set(CURLOPT_HEADERFUNCTION, &Transfer::OnHeader);
  set(CURLOPT_HEADERDATA, static_cast<void*>(this));
  set(CURLOPT_OPENSOCKETFUNCTION, &Transfer::OnOpenSocket);
  set(CURLOPT_OPENSOCKETDATA, static_cast<void*>(this));
  return code;
}

// Counts and discards. Past the cap it stops reading by failing the write; Complete() recognises
// that as a capped body, not an error.
size_t Transfer::OnBody(char*, size_t size, size_t count, void* self) noexcept {
  auto* transfer = static_cast<Transfer*>(self);
  const size_t bytes = size * count;
  const size_t cap = transfer->options_.max_body_bytes;
  const size_t so_far = static_cast<size_t>(transfer->result_.body_bytes);
  if (bytes > cap - std::min(so_far, cap)) {
    transfer->result_.body_bytes = static_cast<int64_t>(cap);
    transfer->result_.body_capped = true;
    return CURL_WRITEFUNC_ERROR;
  }
  transfer->result_.body_bytes += static_cast<int64_t>(bytes);
  return bytes;
}

size_t Transfer::OnHeader(char* data, size_t size, size_t count, void* self) noexcept {
  auto* transfer = static_cast<Transfer*>(self);
  const size_t bytes = size * count;
  // A status line starts a new response (a redirect hop or a 1xx): the cap is per response.
  if (StartsWithNoCase(std::string_view(data, bytes), "HTTP/")) {
    transfer->response_header_bytes_ = 0;
    // The certificate is only reachable while the connection is up; a hop's status line is the
    // earliest moment after its handshake we are called. The first https hop's certificate is
    // kept, so http://host redirecting to https://host reports it too.
    if (!transfer->certificate_read_) {
      const char* scheme = nullptr;
      curl_easy_getinfo(transfer->easy_.get(), CURLINFO_SCHEME, &scheme);
      if (scheme != nullptr && StartsWithNoCase(scheme, "https")) {
        transfer->certificate_read_ = true;
        transfer->result_.tls_cert_expires_at = PeerCertificateNotAfter(transfer->easy_.get());
      }
    }
  }
  transfer->response_header_bytes_ += bytes;
  if (transfer->response_header_bytes_ > transfer->options_.max_header_bytes) {
    transfer->headers_too_large_ = true;
    return CURL_WRITEFUNC_ERROR;
  }
  return bytes;
}

// Every connect libcurl makes, for every hop and every address it tries, passes through here, so
// the policy sees the resolved address itself.
curl_socket_t Transfer::OnOpenSocket(void* self, curlsocktype purpose,
                                     curl_sockaddr* address) noexcept {
  auto* transfer = static_cast<Transfer*>(self);
  if (purpose != CURLSOCKTYPE_IPCXN) return CURL_SOCKET_BAD;
  try {
    if (transfer->policy_.Denies(address->addr)) {
      transfer->denied_address_ = AddressText(address->addr);
      return CURL_SOCKET_BAD;
    }
  } catch (...) {  // bad_alloc formatting the address: refuse the connect, never throw into C
    return CURL_SOCKET_BAD;
  }
  return ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

void Transfer::ReadTimings() {
  CURL* easy = easy_.get();
  const auto micros = [easy](CURLINFO info) {
    curl_off_t value = 0;
    curl_easy_getinfo(easy, info, &value);
    return value;
  };
  // libcurl reports each phase as time since the start of the hop (summed over hops); a phase not
  // reached reads 0.
  const curl_off_t dns = micros(CURLINFO_NAMELOOKUP_TIME_T);
  const curl_off_t connected = micros(CURLINFO_CONNECT_TIME_T);
  const curl_off_t handshaken = micros(CURLINFO_APPCONNECT_TIME_T);
  const curl_off_t first_byte = micros(CURLINFO_STARTTRANSFER_TIME_T);
  const curl_off_t total = micros(CURLINFO_TOTAL_TIME_T);
  const auto span = [](curl_off_t end, curl_off_t begin) {
    return end > 0 ? MicrosToNanos(std::max<curl_off_t>(end - begin, 0)) : 0;
  };
  result_.dns_ns = MicrosToNanos(dns);
  result_.connect_ns = span(connected, dns);
  result_.tls_ns = span(handshaken, connected);
  result_.first_byte_ns = span(first_byte, std::max(connected, handshaken));
  result_.total_ns = MicrosToNanos(total);
}

std::string Transfer::ErrorText(CURLcode code) const {
  const std::string detail = error_buffer_[0] != '\0' ? error_buffer_ : curl_easy_strerror(code);
  if (!denied_address_.empty()) {
    return "address " + denied_address_ + " denied by LOKAHI_EGRESS_DENY";
  }
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT: {
      // Connected (libcurl reports a local port only then) but not through the TLS handshake: the
      // target accepted the connection and never completed TLS.
      long local_port = 0;
      curl_off_t handshaken = 0;
      const char* scheme = nullptr;
      curl_easy_getinfo(easy_.get(), CURLINFO_LOCAL_PORT, &local_port);
      curl_easy_getinfo(easy_.get(), CURLINFO_APPCONNECT_TIME_T, &handshaken);
      curl_easy_getinfo(easy_.get(), CURLINFO_SCHEME, &scheme);
      const bool in_handshake = local_port > 0 && handshaken == 0 && scheme != nullptr &&
                                StartsWithNoCase(scheme, "https");
      return "timed out after " + std::to_string(timeout_ms_) + " ms" +
             (in_handshake ? " in the TLS handshake" : "");
    }
    case CURLE_TOO_MANY_REDIRECTS:
      return "too many redirects (max " + std::to_string(options_.max_redirects) + ")";
    case CURLE_WRITE_ERROR:
      if (headers_too_large_) {
        return "response headers too large (over " + std::to_string(options_.max_header_bytes) +
               " bytes)";
      }
      break;
    case CURLE_OUT_OF_MEMORY: {
      // libcurl buffers one header line at a time up to 100 KB and reports a longer one as out of
      // memory. Once the target has sent bytes, that is by far the likelier cause.
      curl_off_t first_byte = 0;
      curl_easy_getinfo(easy_.get(), CURLINFO_STARTTRANSFER_TIME_T, &first_byte);
      if (first_byte > 0) return "response headers too large (a header line over 100 KB)";
      break;
    }
    case CURLE_COULDNT_CONNECT: {
      long os_errno = 0;
      curl_easy_getinfo(easy_.get(), CURLINFO_OS_ERRNO, &os_errno);
      if (os_errno == ECONNREFUSED) return "connection refused";
      return "could not connect: " + detail;
    }
    case CURLE_COULDNT_RESOLVE_HOST:
      return "could not resolve host: " + detail;
    case CURLE_UNSUPPORTED_PROTOCOL:
      // libcurl (since 7.66) refuses an answer without a status line with this same code; its
      // message is the only thing telling it from a redirect to ftp:// or gopher://.
      if (detail.find("HTTP/0.9") != std::string::npos) {
        return "answered in HTTP/0.9 (no status line, no headers), which is not accepted: the "
               "target must answer HTTP/1.0 or later";
      }
      return "protocol not allowed (http and https only): " + detail;
    case CURLE_URL_MALFORMAT:
      return "invalid URL: " + detail;
    case CURLE_PEER_FAILED_VERIFICATION:
      return "TLS certificate verify failed: " + detail;
    case CURLE_SSL_CONNECT_ERROR:
      return "TLS handshake failed: " + detail;
    case CURLE_GOT_NOTHING:
      return "server closed the connection without a response";
    default:
      break;
  }
  return std::string(curl_easy_strerror(code)) + ": " + detail;
}

ProbeResult Transfer::Complete(CURLcode code) {
  ReadTimings();
  const bool capped = code == CURLE_WRITE_ERROR && result_.body_capped && !headers_too_large_;
  if (code == CURLE_OK || capped) {
    long status = 0;
    curl_easy_getinfo(easy_.get(), CURLINFO_RESPONSE_CODE, &status);
    result_.status_code = static_cast<int>(status);
    if (status == 0) result_.error = "no HTTP status in the response";
  } else {
    result_.error = ErrorText(code);
  }
  return std::move(result_);
}

ProbeResult Transfer::Abandon(std::string reason) {
  result_.total_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                         std::chrono::steady_clock::now() - started_)
                         .count();
  result_.error = configure_error_.empty() ? std::move(reason) : configure_error_;
  result_.status_code = 0;
  return std::move(result_);
}

}  // namespace lokahi::probe
