#pragma once
// Reads the peer certificate of a transfer's live TLS connection.

#include <curl/curl.h>

#include <chrono>
#include <optional>

namespace lokahi::probe {

// notAfter of the certificate the server presented on `easy`'s current connection. Only valid while
// the transfer runs (call it from a header callback); nullopt without TLS, with a non-OpenSSL
// backend, or when the certificate cannot be read. Cheaper than CURLOPT_CERTINFO, which formats
// every certificate of the chain as text on every handshake.
std::optional<std::chrono::system_clock::time_point> PeerCertificateNotAfter(CURL* easy);

}  // namespace lokahi::probe
