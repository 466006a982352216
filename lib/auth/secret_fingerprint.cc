#include "lib/auth/secret_fingerprint.h"

#include <openssl/sha.h>

namespace lokahi::auth {

std::string SecretFingerprint(std::string_view secret) {
  if (secret.empty()) return "";
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string fingerprint = "sha256:";
  for (int i = 0; i < 8; ++i) {
    fingerprint += kHex[digest[i] >> 4];
    fingerprint += kHex[digest[i] & 0xf];
  }
  return fingerprint;
}

}  // namespace lokahi::auth
