#include "lib/probe/tls_certificate.h"

#include <openssl/asn1.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <ctime>

namespace lokahi::probe {

std::optional<std::chrono::system_clock::time_point> PeerCertificateNotAfter(CURL* easy) {
  curl_tlssessioninfo* session = nullptr;
  if (curl_easy_getinfo(easy, CURLINFO_TLS_SSL_PTR, &session) != CURLE_OK || session == nullptr ||
      session->backend != CURLSSLBACKEND_OPENSSL || session->internals == nullptr) {
    return std::nullopt;
  }
  const SSL* ssl = static_cast<const SSL*>(session->internals);
  const X509* certificate = SSL_get0_peer_certificate(ssl);
  if (certificate == nullptr) return std::nullopt;
  std::tm expiry{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(certificate), &expiry) != 1) return std::nullopt;
  return std::chrono::system_clock::from_time_t(timegm(&expiry));
}

}  // namespace lokahi::probe
