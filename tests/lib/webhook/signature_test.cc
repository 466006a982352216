// Signatures checked against values computed elsewhere: the Standard Webhooks reference vector,
// and the openssl command-line tool run as a child process.

#include "lib/webhook/signature.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "lib/auth/base64.h"
#include "tests/support/child_process.h"
#include "tests/support/daemon.h"

namespace lokahi::webhook {
namespace {

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  }
  return out;
}

// HMAC-SHA256 by `openssl dgst`, base64 like the header.
std::string OpensslSignature(const std::string& key, const std::string& content) {
  const auto dir = testing::MakeTempDir("webhook-sig");
  const auto path = dir + "/content";
  std::ofstream(path, std::ios::binary) << content;
  const auto result = testing::RunCommand({"/usr/bin/openssl", "dgst", "-sha256", "-mac", "HMAC",
                                           "-macopt", "hexkey:" + Hex(key), "-r", path});
  std::filesystem::remove_all(dir);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  // "-r" prints "<hex> *<file>".
  return auth::Base64Encode(Unhex(result.output.substr(0, 64)));
}

TEST(SignatureTest, MatchesStandardWebhooksReferenceVector) {
  // From the Standard Webhooks specification's reference libraries.
  const auto key = SigningKey::Parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  ASSERT_TRUE(key);
  EXPECT_EQ(
      SignatureHeader(*key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, R"({"test": 2432232314})"),
      "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

TEST(SignatureTest, MatchesOpensslOverBinaryBody) {
  const std::string raw_key = std::string("\x00\x01\xfe\xff secret key bytes", 21);
  const auto key = SigningKey::Parse("whsec_" + auth::Base64Encode(raw_key));
  ASSERT_TRUE(key);
  EXPECT_EQ(key->bytes(), raw_key);
  std::string body = "\x0a\x05hello";
  body += std::string("\x00\x10\x80\xff", 4);
  const std::string id = "tr_42";
  const int64_t timestamp = 1700000000;
  const auto header = SignatureHeader(*key, id, timestamp, body);
  ASSERT_TRUE(header.starts_with("v1,"));
  EXPECT_EQ(header.substr(3), OpensslSignature(raw_key, id + ".1700000000." + body));
}

TEST(SignatureTest, DifferentTimestampOrIdChangesSignature) {
  const auto key = SigningKey::Parse("whsec_" + auth::Base64Encode("k"));
  ASSERT_TRUE(key);
  const auto base = SignatureHeader(*key, "tr_1", 10, "body");
  EXPECT_NE(base, SignatureHeader(*key, "tr_1", 11, "body"));
  EXPECT_NE(base, SignatureHeader(*key, "tr_2", 10, "body"));
  EXPECT_NE(base, SignatureHeader(*key, "tr_1", 10, "bodz"));
}

TEST(SignatureTest, RejectsMalformedSecrets) {
  EXPECT_FALSE(SigningKey::Parse(""));
  EXPECT_FALSE(SigningKey::Parse("whsec_"));
  EXPECT_FALSE(SigningKey::Parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
  EXPECT_FALSE(SigningKey::Parse("whsec_not base64!"));
  EXPECT_FALSE(SigningKey::Parse("wHsEc_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
}

}  // namespace
}  // namespace lokahi::webhook
