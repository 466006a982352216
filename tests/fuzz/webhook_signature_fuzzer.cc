// Standard Webhooks signatures: the secret as configured ("whsec_" + base64) is parsed by the
// sender (lib/webhook) and by receivers; a receiver verifies the webhook-id, webhook-timestamp and
// webhook-signature headers a client sends. Input: secret, id, timestamp, signature header lines,
// then the body. Properties: both sides accept the same secrets and sign alike, and a delivery
// signed by the sender verifies.

#include <chrono>
#include <cstdlib>
#include <string>

#include "lib/webhook/signature.h"
#include "receivers/core/webhook_signature.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto fields = lokahi::fuzz::SplitFields(lokahi::fuzz::AsText(data, size), 5);
  const std::string_view secret = fields[0], id = fields[1], timestamp = fields[2];
  const std::string_view header = fields[3], body = fields[4];
  const std::chrono::system_clock::time_point now{std::chrono::seconds(1796083200)};

  const auto key = lokahi::webhook::SigningKey::Parse(secret);
  const auto verifier = lokahi::receivers::SignatureVerifier::FromSecret(secret);
  if (key.has_value() != verifier.has_value()) std::abort();
  const auto fallback =
      lokahi::receivers::SignatureVerifier::FromSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  if (!fallback) std::abort();
  const auto& check = verifier ? *verifier : *fallback;
  check.Verify(id, timestamp, header, body, now);

  if (key && !id.empty()) {
    const int64_t unix_seconds = 1796083200;
    const std::string sent = lokahi::webhook::SignatureHeader(*key, id, unix_seconds, body);
    const std::string stamp = std::to_string(unix_seconds);
    if (sent != verifier->Sign(id, stamp, body)) std::abort();
    if (verifier->Verify(id, stamp, sent, body, now).has_value()) std::abort();
  }
  return 0;
}
