#include "lib/auth/secret_fingerprint.h"

#include <gtest/gtest.h>

namespace lokahi::auth {
namespace {

TEST(SecretFingerprintTest, IsASha256PrefixThatTellsSecretsApart) {
  // printf whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw | sha256sum | cut -c1-16
  EXPECT_EQ(SecretFingerprint("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), "sha256:96ad2ccd81462a76");
  EXPECT_NE(SecretFingerprint("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSx"),
            SecretFingerprint("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
}

TEST(SecretFingerprintTest, NoSecretHasNoFingerprint) { EXPECT_EQ(SecretFingerprint(""), ""); }

}  // namespace
}  // namespace lokahi::auth
