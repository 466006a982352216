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
  o.url = "http://";
  EXPECT_EQ(Validate(o, {}), "url must have a host: \"http://\"");
  o.url = "example.com";
  EXPECT_EQ(Validate(o, {}), "url must be an absolute http:// or https:// URL: \"example.com\"");
  o.url = "";
  EXPECT_EQ(Validate(o, {}), "url is empty");
  o.url = "http://host:99999/";
  EXPECT_EQ(Validate(o, {}),
            "url port must be one number between 1 and 65535 (host:port): "
            "\"http://host:99999/\"");
  o.url = "http://host:0/";
  EXPECT_EQ(Validate(o, {}),
            "url port must be one number between 1 and 65535 (host:port): "
            "\"http://host:0/\"");
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
  EXPECT_EQ(Validate(o, {}),
            "expected_status must be between 100 and 599 (or 0 for any 2xx), got 42");
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

// Issue 13 defect 12: each of these passed Create, then every probe failed in libcurl.
TEST(Validation, RefusesWhatLibcurlCannotFetch) {
  auto o = Valid();
  o.url = "http://127.0.0.1:8080:9090/";
  EXPECT_EQ(Validate(o, {}),
            "url port must be one number between 1 and 65535 (host:port): "
            "\"http://127.0.0.1:8080:9090/\"");
  o.url = "http://user:pa@ss@127.0.0.1/";
  ASSERT_TRUE(Validate(o, {}).has_value());
  EXPECT_TRUE(Validate(o, {})->starts_with("url has an invalid host")) << *Validate(o, {});
  EXPECT_NE(Validate(o, {})->find("%-encoded"), std::string::npos);
  o.url = "http://a\\b/";
  ASSERT_TRUE(Validate(o, {}).has_value());
  EXPECT_TRUE(Validate(o, {})->starts_with("url has an invalid host")) << *Validate(o, {});
  o.url = "http://user:pa%40ss@127.0.0.1/";
  EXPECT_EQ(Validate(o, {}), std::nullopt);
}

// Issue 13 defect 9: bytes above 0x7f were read as negative chars and called control characters.
TEST(Validation, NonAsciiUrlSaysUsePunycode) {
  auto o = Valid();
  o.url =
      "http://b\xc3\xbc"
      "cher.example/";
  EXPECT_EQ(Validate(o, {}),
            "url must be ASCII; use punycode and %-encoding: "
            "\"http://b\\xc3\\xbccher.example/\"");
  o.url = "http://xn--bcher-kva.example/%C3%BC";
  EXPECT_EQ(Validate(o, {}), std::nullopt);
}

// Issue 13 defect 4: a 1 MB URL was accepted and broke every scheduler batch holding it.
TEST(Validation, UrlsAreAtMost8KB) {
  const std::string long_url = "http://example.com/" + std::string(8192 - 19, 'a');
  ASSERT_EQ(long_url.size(), 8192u);
  for (auto field : {&CheckOptions::url, &CheckOptions::webhook_url, &CheckOptions::playbook_url}) {
    auto o = Valid();
    o.*field = long_url;
    EXPECT_EQ(Validate(o, {}), std::nullopt);
    o.*field = long_url + "a";
    const auto problem = Validate(o, {});
    ASSERT_TRUE(problem.has_value());
    EXPECT_NE(problem->find("must be at most 8192 bytes, got 8193"), std::string::npos) << *problem;
  }
}

TEST(Validation, WebhookSecretIsAtMost256Bytes) {
  auto o = Valid();
  o.webhook_secret = "whsec_" + std::string(248, 'A');  // 256 bytes, valid base64
  EXPECT_EQ(Validate(o, {}), std::nullopt);
  o.webhook_secret = "whsec_" + std::string(252, 'A');
  EXPECT_EQ(Validate(o, {}), "webhook_secret must be at most 256 bytes, got 258");
}

// Issue 13 defect 7: a secret that is not base64 was accepted, then every delivery failed.
TEST(Validation, WebhookSecretMustBeBase64) {
  auto o = Valid();
  for (const char* bad :
       {"whsec_not base64 at all, not at all!!", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2La$aSw",
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS", "whsec_MfKQ9r8GKYqrTwjUPD8I=PZIo2LaLaSw"}) {
    o.webhook_secret = bad;
    const auto problem = Validate(o, {});
    ASSERT_TRUE(problem.has_value()) << bad;
    EXPECT_TRUE(problem->starts_with("webhook_secret must be \"whsec_\"")) << *problem;
    EXPECT_EQ(problem->find(bad), std::string::npos) << "the secret is never quoted";
  }
}

// Issue 13 defect 5: a 9 KB bad value quoted in full made the status too large for gRPC.
TEST(Validation, MessagesQuoteAtMost100BytesOfTheValue) {
  auto o = Valid();
  o.url = "ftp://example.com/" + std::string(9000, 'x');
  auto problem = Validate(o, {});
  ASSERT_TRUE(problem.has_value());
  EXPECT_LT(problem->size(), 300u) << *problem;
  EXPECT_NE(problem->find("…(9018 bytes)"), std::string::npos) << *problem;
  o = Valid();
  o.webhook_url = "http://a b/" + std::string(5000, 'y');
  problem = Validate(o, {});
  ASSERT_TRUE(problem.has_value());
  EXPECT_LT(problem->size(), 300u) << *problem;
}

TEST(Validation, Ipv6HostAccepted) {
  auto o = Valid();
  o.url = "http://[::1]:8080/";
  EXPECT_EQ(Validate(o, {}), std::nullopt);
}

}  // namespace
}  // namespace lokahi::checks
