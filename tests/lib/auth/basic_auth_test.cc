#include "lib/auth/basic_auth.h"

#include <gtest/gtest.h>

#include "lib/auth/base64.h"

namespace lokahi::auth {
namespace {

const Credentials kExpected{"AzureDiamond", "hunter2"};

TEST(BasicAuth, AcceptsExactCredentials) {
  EXPECT_TRUE(Authorize(BasicAuthorizationHeader(kExpected), kExpected));
}

TEST(BasicAuth, RejectsWrongUserWrongPasswordAndGarbage) {
  EXPECT_FALSE(Authorize(BasicAuthorizationHeader({"azurediamond", "hunter2"}), kExpected));
  EXPECT_FALSE(Authorize(BasicAuthorizationHeader({"AzureDiamond", "hunter3"}), kExpected));
  EXPECT_FALSE(Authorize(BasicAuthorizationHeader({"AzureDiamond", "hunter22"}), kExpected));
  EXPECT_FALSE(Authorize(BasicAuthorizationHeader({"AzureDiamond", ""}), kExpected));
  EXPECT_FALSE(Authorize("", kExpected));
  EXPECT_FALSE(Authorize("Bearer abc", kExpected));
  EXPECT_FALSE(Authorize("Basic !!!!", kExpected));
  EXPECT_FALSE(Authorize("Basic " + Base64Encode("nocolon"), kExpected));
}

TEST(BasicAuth, PasswordMayContainColons) {
  const Credentials expected{"u", "a:b:c"};
  EXPECT_TRUE(Authorize(BasicAuthorizationHeader(expected), expected));
}

TEST(Base64, RoundTripsAllLengths) {
  std::string bytes;
  for (int i = 0; i < 40; ++i) {
    EXPECT_EQ(Base64Decode(Base64Encode(bytes)), bytes);
    bytes += static_cast<char>(i * 37);
  }
  EXPECT_EQ(Base64Encode("AzureDiamond:hunter2"), "QXp1cmVEaWFtb25kOmh1bnRlcjI=");
  EXPECT_FALSE(Base64Decode("abc"));
  EXPECT_FALSE(Base64Decode("a=bc"));
}

TEST(ConstantTimeEquals, Basics) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("ab", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abcd", "abc"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

}  // namespace
}  // namespace lokahi::auth
