#pragma once
// Verifying Standard Webhooks signatures (https://www.standardwebhooks.com) on deliveries: the
// sender signs "{webhook-id}.{webhook-timestamp}.{body}" with HMAC-SHA256 under the check's
// webhook_secret and sends "v1,<base64 mac>" (space-separated, several during a key rotation) in
// the webhook-signature header. A receiver that checks it knows the delivery came from lokahi.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace lokahi::receivers {

// Deliveries older or newer than this are refused, so a captured one cannot be replayed later.
inline constexpr std::chrono::seconds kSignatureTolerance{300};

// Holds one decoded secret. Immutable, thread-safe.
class SignatureVerifier {
 public:
  // From a secret as the Checks API takes it: "whsec_" + standard base64. nullopt when malformed.
  static std::optional<SignatureVerifier> FromSecret(std::string_view secret);

  // nullopt when the delivery is authentic; otherwise why not, worded for a log line.
  std::optional<std::string> Verify(std::string_view webhook_id, std::string_view timestamp,
                                    std::string_view signature_header, std::string_view body,
                                    std::chrono::system_clock::time_point now) const;

  // "v1," + base64(HMAC-SHA256(key, id.timestamp.body)): what a valid header holds.
  std::string Sign(std::string_view webhook_id, std::string_view timestamp,
                   std::string_view body) const;

 private:
  explicit SignatureVerifier(std::string key) : key_(std::move(key)) {}
  std::string key_;
};

}  // namespace lokahi::receivers
