#include "receivers/core/webhook_signature.h"

#include <gtest/gtest.h>

namespace lokahi::receivers {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

// The example in the Standard Webhooks specification's reference libraries.
constexpr const char* kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr const char* kId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr const char* kTimestamp = "1614265330";
constexpr const char* kBody = "{\"test\": 2432232314}";
constexpr const char* kSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
const system_clock::time_point kSentAt{seconds(1614265330)};

SignatureVerifier Verifier() {
  auto verifier = SignatureVerifier::FromSecret(kSecret);
  if (!verifier) throw std::runtime_error("test secret did not parse");
  return *verifier;
}

TEST(SignatureVerifierTest, SignsAsTheSpecificationDoes) {
  EXPECT_EQ(Verifier().Sign(kId, kTimestamp, kBody), kSignature);
}

TEST(SignatureVerifierTest, AcceptsAValidSignatureAmongSeveral) {
  EXPECT_EQ(Verifier().Verify(kId, kTimestamp, kSignature, kBody, kSentAt + seconds(3)),
            std::nullopt);
  const std::string rotated =
      std::string("v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= ") + kSignature;
  EXPECT_EQ(Verifier().Verify(kId, kTimestamp, rotated, kBody, kSentAt - seconds(3)), std::nullopt);
}

TEST(SignatureVerifierTest, RefusesTamperingAndReplays) {
  const SignatureVerifier verifier = Verifier();
  EXPECT_EQ(verifier.Verify(kId, kTimestamp, kSignature, "{\"test\": 1}", kSentAt),
            "no webhook-signature matches WEBHOOK_SECRET");
  EXPECT_EQ(verifier.Verify("msg_other", kTimestamp, kSignature, kBody, kSentAt),
            "no webhook-signature matches WEBHOOK_SECRET");
  EXPECT_EQ(verifier.Verify(kId, kTimestamp, kSignature, kBody, kSentAt + seconds(301)),
            "webhook-timestamp is more than 5 minutes away from now");
  EXPECT_EQ(verifier.Verify(kId, kTimestamp, kSignature, kBody, kSentAt - seconds(301)),
            "webhook-timestamp is more than 5 minutes away from now");
  EXPECT_EQ(verifier.Verify(kId, "16142653e0", kSignature, kBody, kSentAt),
            "webhook-timestamp is not a number of seconds");
  EXPECT_EQ(verifier.Verify(kId, kTimestamp, "", kBody, kSentAt),
            "unsigned: webhook-id, webhook-timestamp and webhook-signature are all required");
  const auto other = SignatureVerifier::FromSecret("whsec_c2VjcmV0");
  ASSERT_TRUE(other);
  EXPECT_NE(other->Verify(kId, kTimestamp, kSignature, kBody, kSentAt), std::nullopt);
}

TEST(SignatureVerifierTest, SecretsNeedThePrefixAndBase64) {
  EXPECT_FALSE(SignatureVerifier::FromSecret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
  EXPECT_FALSE(SignatureVerifier::FromSecret("whsec_not base64!"));
  EXPECT_FALSE(SignatureVerifier::FromSecret("whsec_"));
}

}  // namespace
}  // namespace lokahi::receivers
