#pragma once
// Standard Webhooks signing (https://www.standardwebhooks.com): the signature covers
// "{webhook-id}.{webhook-timestamp}.{body}" with HMAC-SHA256 under the secret's key.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lokahi::webhook {

// A decoded signing key. Built only by Parse, so every key holds at least one byte.
class SigningKey {
 public:
  // Accepts "whsec_" followed by standard base64; nullopt otherwise.
  static std::optional<SigningKey> Parse(std::string_view secret);
  const std::string& bytes() const { return bytes_; }

 private:
  explicit SigningKey(std::string bytes) : bytes_(std::move(bytes)) {}
  std::string bytes_;
};

// The value of the webhook-signature header: "v1," + base64(HMAC-SHA256(key, id.timestamp.body)).
std::string SignatureHeader(const SigningKey& key, std::string_view webhook_id,
                            int64_t unix_seconds, std::string_view body);

}  // namespace lokahi::webhook
