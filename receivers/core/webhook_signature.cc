#include "receivers/core/webhook_signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>
#include <stdexcept>

#include "lib/auth/base64.h"

namespace lokahi::receivers {

std::optional<SignatureVerifier> SignatureVerifier::FromSecret(std::string_view secret) {
  constexpr std::string_view kPrefix = "whsec_";
  if (!secret.starts_with(kPrefix)) return std::nullopt;
  auto key = auth::Base64Decode(secret.substr(kPrefix.size()));
  if (!key || key->empty()) return std::nullopt;
  return SignatureVerifier(std::move(*key));
}

std::string SignatureVerifier::Sign(std::string_view webhook_id, std::string_view timestamp,
                                    std::string_view body) const {
  std::string content;
  content.reserve(webhook_id.size() + timestamp.size() + body.size() + 2);
  content.append(webhook_id).append(".").append(timestamp).append(".").append(body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  if (HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
           reinterpret_cast<const unsigned char*>(content.data()), content.size(), mac,
           &mac_size) == nullptr) {
    throw std::runtime_error("HMAC-SHA256 failed in OpenSSL");
  }
  return "v1," + auth::Base64Encode(std::string_view(reinterpret_cast<const char*>(mac), mac_size));
}

std::optional<std::string> SignatureVerifier::Verify(
    std::string_view webhook_id, std::string_view timestamp, std::string_view signature_header,
    std::string_view body, std::chrono::system_clock::time_point now) const {
  if (webhook_id.empty() || timestamp.empty() || signature_header.empty()) {
    return "unsigned: webhook-id, webhook-timestamp and webhook-signature are all required";
  }
  long long seconds = 0;
  const auto [end, error] =
      std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), seconds);
  if (error != std::errc() || end != timestamp.data() + timestamp.size()) {
    return "webhook-timestamp is not a number of seconds";
  }
  // Beyond system_clock's range (±292 years) the conversion below would overflow; such a
  // timestamp is far from now anyway.
  constexpr long long kRepresentable =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::duration::max())
          .count();
  if (seconds > kRepresentable || seconds < -kRepresentable) {
    return "webhook-timestamp is more than 5 minutes away from now";
  }
  const auto sent = std::chrono::system_clock::time_point(std::chrono::seconds(seconds));
  if (sent < now - kSignatureTolerance || sent > now + kSignatureTolerance) {
    return "webhook-timestamp is more than 5 minutes away from now";
  }
  const std::string expected = Sign(webhook_id, timestamp, body);
  size_t at = 0;
  while (at < signature_header.size()) {
    size_t next = signature_header.find(' ', at);
    if (next == std::string_view::npos) next = signature_header.size();
    const std::string_view candidate = signature_header.substr(at, next - at);
    if (candidate.size() == expected.size() &&
        CRYPTO_memcmp(candidate.data(), expected.data(), expected.size()) == 0) {
      return std::nullopt;
    }
    at = next + 1;
  }
  return "no webhook-signature matches WEBHOOK_SECRET";
}

}  // namespace lokahi::receivers
