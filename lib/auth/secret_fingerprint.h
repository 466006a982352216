#pragma once
// A fingerprint of a secret the API never returns (a check's webhook secret): enough to tell
// whether two secrets are the same without reading either, as `lokahictl apply` does.

#include <string>
#include <string_view>

namespace lokahi::auth {

// "sha256:" and the first 16 hex digits (64 bits) of SHA-256(secret); empty for an empty secret.
// The secrets it is given are high-entropy keys (whsec_ + 24 or more random bytes), so the
// prefix tells nothing usable about them.
std::string SecretFingerprint(std::string_view secret);

}  // namespace lokahi::auth
