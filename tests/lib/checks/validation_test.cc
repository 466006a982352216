#include "lib/checks/validation.h"

#include <gtest/gtest.h>

namespace lokahi::checks {
namespace {

CheckOptions Valid() {
  CheckOptions o;
  o.url = "http://example.internal:8080/health";
  o.webhook_url = "https://hooks.example.com/lokahi";
  ApplyDefaults(o);
  return o;
}

TEST(Validation, AcceptsDefaults) { EXPECT_EQ(Validate(Valid(), {}), std::nullopt); }

TEST(Validation, DefaultsAreLokahis) {
  const auto o = Valid();
  EXPECT_EQ(o.every_seconds, 60);
  EXPECT_EQ(o.timeout_ms, 10000);
  EXPECT_EQ(o.failure_threshold, 1);
  EXPECT_EQ(o.recovery_threshold, 1);
}

TEST(Validation, EveryOutOfRangeNamesTheLimitsAndValue) {
  auto o = Valid();
  o.every_seconds = 5;
  EXPECT_EQ(Validate(o, {}), "every must be between 10 and 86400 seconds, got 5");
  o.every_seconds = 86401;
  EXPECT_EQ(Validate(o, {}), "every must be between 10 and 86400 seconds, got 86401");
}

TEST(Validation, MinEveryIsConfigurable) {
  auto o = Valid();
  o.every_seconds = 1;
  EXPECT_EQ(Validate(o, {.min_every_seconds = 1}), std::nullopt);
}

TEST(Validation, UrlMustBeHttpOrHttpsWithHost) {
  auto o = Valid();
  o.url = "ftp://example.com/";
  EXPECT_EQ(Validate(o, {}), "url must use http or https, got \"ftp\": \"ftp://example.com/\"");
  o.url = "http:///nohost";
  EXPECT_EQ(Validate(o, {}), "url must have a host: \"http:///nohost\"");
  o.url = "example.com";
  EXPECT_EQ(Validate(o, {}),
            "url must be an absolute http:// or https:// URL: \"example.com\"");
  o.url = "";
  EXPECT_EQ(Validate(o, {}), "url is empty");
  o.url = "http://host:99999/";
  EXPECT_EQ(Validate(o, {}), "url port must be between 1 and 65535: \"http://host:99999/\"");
}

TEST(Validation, WebhookUrlChecked) {
  auto o = Valid();
  o.webhook_url = "file:///etc/passwd";
  EXPECT_EQ(Validate(o, {}),
            "webhook_url must use http or https, got \"file\": \"file:///etc/passwd\"");
}

TEST(Validation, PlaybookUrlOptionalButMustBeUrl) {
  auto o = Valid();
  o.playbook_url = "";
  EXPECT_EQ(Validate(o, {}), std::nullopt);
  o.playbook_url = "not a url";
  EXPECT_EQ(Validate(o, {}),
            "playbook_url contains whitespace or control characters: \"not a url\"");
}

TEST(Validation, ThresholdsAndStatus) {
  auto o = Valid();
  o.failure_threshold = 101;
  EXPECT_EQ(Validate(o, {}), "failure_threshold must be between 1 and 100, got 101");
  o = Valid();
  o.expected_status = 42;
  EXPECT_EQ(Validate(o, {}), "expected_status must be between 100 and 599 (or 0 for any 2xx), got 42");
  o = Valid();
  o.timeout_ms = -1;
  EXPECT_EQ(Validate(o, {}), "timeout_ms must be between 1 and 120000, got -1");
}

TEST(Validation, WebhookSecretMustBeStandardWebhooksForm) {
  auto o = Valid();
  o.webhook_secret = "hunter2";
  ASSERT_TRUE(Validate(o, {}).has_value());
  EXPECT_NE(Validate(o, {})->find("whsec_"), std::string::npos);
  o.webhook_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  EXPECT_EQ(Validate(o, {}), std::nullopt);
}

TEST(Validation, Ipv6HostAccepted) {
  auto o = Valid();
  o.url = "http://[::1]:8080/";
  EXPECT_EQ(Validate(o, {}), std::nullopt);
}

}  // namespace
}  // namespace lokahi::checks
