// lokahictl --method, --header (repeatable), --body, --follow-redirects, --ip-version: the
// requests they send, and a header value never quoted back in a usage error.

#include <gtest/gtest.h>

#include "lokahictl/commands.h"

namespace lokahi::lokahictl {
namespace {

namespace pb = github::xe::lokahi;

TEST(RequestArgs, CreateTakesTheRequestOptions) {
  const auto request =
      CreateRequest(ParseArgs({"create", "--url", "http://x", "--method", "POST", "--header",
                               "Authorization: Bearer t0k", "--header=X-Env:prod", "--body",
                               "{\"a\":1}", "--follow-redirects=false", "--ip-version", "6"},
                              CommandFlags()));
  EXPECT_EQ(request.method(), "POST");
  ASSERT_EQ(request.headers_size(), 2);
  EXPECT_EQ(request.headers(0).name(), "Authorization");
  EXPECT_EQ(request.headers(0).value(), "Bearer t0k");
  EXPECT_EQ(request.headers(1).name(), "X-Env");
  EXPECT_EQ(request.headers(1).value(), "prod");
  EXPECT_EQ(request.body(), "{\"a\":1}");
  ASSERT_TRUE(request.has_follow_redirects());
  EXPECT_FALSE(request.follow_redirects());
  EXPECT_EQ(request.ip_version(), pb::IP_V6);

  const auto plain = CreateRequest(ParseArgs({"create", "--url", "http://x"}, CommandFlags()));
  EXPECT_EQ(plain.method(), "");
  EXPECT_FALSE(plain.has_follow_redirects()) << "unset: the server's default, follow";
}

TEST(RequestArgs, PutNamesTheFieldsGivenAndHeadersAsAWhole) {
  const auto request = PutRequest(
      ParseArgs({"put", "ID", "--method", "HEAD", "--header", ""}, CommandFlags()), "ID");
  const std::vector<std::string> paths(request.update_mask().paths().begin(),
                                       request.update_mask().paths().end());
  EXPECT_EQ(paths, (std::vector<std::string>{"method", "headers"}));
  EXPECT_EQ(request.headers_size(), 0) << "--header '' clears them";
}

TEST(RequestArgs, AMethodOutsideTheSevenAndAHeaderWithoutColonAreUsageErrors) {
  EXPECT_THROW(ParseArgs({"create", "--method", "FETCH"}, CommandFlags()), UsageError);
  try {
    CreateRequest(ParseArgs({"create", "--header", "Bearer s3cr3t"}, CommandFlags()));
    FAIL() << "no colon";
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()).find("s3cr3t"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace lokahi::lokahictl
