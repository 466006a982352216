#include "lib/webhook/webhook_request.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "lib/auth/base64.h"

namespace lokahi::webhook {
namespace {

bool HasHeader(const PostRequest& r, const std::string& header) {
  return std::find(r.headers.begin(), r.headers.end(), header) != r.headers.end();
}

TEST(WebhookRequestTest, CarriesLokahiAndStandardWebhooksHeaders) {
  const auto key = SigningKey::Parse("whsec_" + auth::Base64Encode("key"));
  ASSERT_TRUE(key);
  const auto request =
      BuildWebhookRequest("http://127.0.0.1:1/hook", {"BODY", "application/protobuf"},
                          WebhookId(17), 1700000000, &*key, std::chrono::milliseconds(1234));
  EXPECT_EQ(request.url, "http://127.0.0.1:1/hook");
  EXPECT_EQ(request.body, "BODY");
  EXPECT_EQ(request.timeout, std::chrono::milliseconds(1234));
  EXPECT_TRUE(HasHeader(request, "Content-Type: application/protobuf"));
  EXPECT_TRUE(HasHeader(request, "Accept: application/protobuf"));
  EXPECT_TRUE(HasHeader(
      request, "User-Agent: lokahi-cpp/" LOKAHI_TEST_VERSION " (+https://github.com/Xe/lokahi)"));
  EXPECT_TRUE(HasHeader(request, "webhook-id: tr_17"));
  EXPECT_TRUE(HasHeader(request, "webhook-timestamp: 1700000000"));
  EXPECT_TRUE(HasHeader(
      request, "webhook-signature: " + SignatureHeader(*key, "tr_17", 1700000000, "BODY")));
}

TEST(WebhookRequestTest, UnsignedWithoutKey) {
  const auto request = BuildWebhookRequest("http://h/", {"{}", "application/json"}, "tr_1", 5,
                                           nullptr, std::chrono::milliseconds(1000));
  EXPECT_TRUE(HasHeader(request, "Content-Type: application/json"));
  for (const auto& header : request.headers) {
    EXPECT_FALSE(header.starts_with("webhook-signature")) << header;
  }
}

}  // namespace
}  // namespace lokahi::webhook
