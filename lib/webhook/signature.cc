#include "lib/webhook/signature.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

#include "lib/auth/base64.h"

namespace lokahi::webhook {

std::optional<SigningKey> SigningKey::Parse(std::string_view secret) {
  constexpr std::string_view kPrefix = "whsec_";
  if (!secret.starts_with(kPrefix)) return std::nullopt;
  auto bytes = auth::Base64Decode(secret.substr(kPrefix.size()));
  if (!bytes || bytes->empty()) return std::nullopt;
  return SigningKey(std::move(*bytes));
}

std::string SignatureHeader(const SigningKey& key, std::string_view webhook_id,
                            int64_t unix_seconds, std::string_view body) {
  std::string signed_content;
  const std::string timestamp = std::to_string(unix_seconds);
  signed_content.reserve(webhook_id.size() + timestamp.size() + body.size() + 2);
  signed_content.append(webhook_id).append(".").append(timestamp).append(".").append(body);

  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  const auto* result = HMAC(EVP_sha256(), key.bytes().data(), static_cast<int>(key.bytes().size()),
                            reinterpret_cast<const unsigned char*>(signed_content.data()),
                            signed_content.size(), mac, &mac_size);
  if (result == nullptr) throw std::runtime_error("HMAC-SHA256 failed in OpenSSL");
  return "v1," + auth::Base64Encode(std::string_view(reinterpret_cast<const char*>(mac), mac_size));
}

}  // namespace lokahi::webhook
