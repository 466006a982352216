#include "receivers/core/receiver_config.h"

#include <gtest/gtest.h>

namespace lokahi::receivers {
namespace {

using config::ConfigError;
using config::Env;

std::string ErrorOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "";
}

TEST(SampleHookConfigTest, DefaultsAndOverrides) {
  const auto defaults = SampleHookConfig::FromEnv(Env::FromMap({}));
  EXPECT_EQ(defaults.port, 9001);
  EXPECT_EQ(defaults.fail_first, 0);
  const auto set =
      SampleHookConfig::FromEnv(Env::FromMap({{"PORT", "8080"}, {"SAMPLE_HOOK_FAIL_FIRST", "3"}}));
  EXPECT_EQ(set.port, 8080);
  EXPECT_EQ(set.fail_first, 3);
  EXPECT_NE(ErrorOf([] {
              SampleHookConfig::FromEnv(Env::FromMap({{"PORT", "70000"}}));
            }).find("PORT"),
            std::string::npos);
  EXPECT_NE(ErrorOf([] {
              SampleHookConfig::FromEnv(Env::FromMap({{"SAMPLE_HOOK_FAIL_FIRST", "-1"}}));
            }).find("SAMPLE_HOOK_FAIL_FIRST"),
            std::string::npos);
}

TEST(SignatureCheckFromEnvTest, IsOffUnlessAWellFormedSecretIsSet) {
  EXPECT_FALSE(SignatureCheckFromEnv(Env::FromMap({})));
  EXPECT_TRUE(SignatureCheckFromEnv(Env::FromMap({{"WEBHOOK_SECRET", "whsec_c2VjcmV0"}})));
  const std::string error = ErrorOf([] {
    SignatureCheckFromEnv(Env::FromMap({{"WEBHOOK_SECRET", "hunter2"}}));
  });
  EXPECT_NE(error.find("WEBHOOK_SECRET must be \"whsec_\""), std::string::npos) << error;
  EXPECT_EQ(error.find("hunter2"), std::string::npos) << error;
}

TEST(ChatRelayConfigTest, NeedsAnHttpWebhookUrl) {
  EXPECT_EQ(ErrorOf([] { ChatRelayConfig::FromEnv(Env::FromMap({})); }), "WEBHOOK_URL must be set");
  const std::string error = ErrorOf([] {
    ChatRelayConfig::FromEnv(Env::FromMap({{"WEBHOOK_URL", "ftp://host/secret-token"}}));
  });
  EXPECT_NE(error.find("WEBHOOK_URL must be an http:// or https:// URL"), std::string::npos);
  EXPECT_EQ(error.find("secret-token"), std::string::npos) << error;
  EXPECT_FALSE(ErrorOf([] {
                 ChatRelayConfig::FromEnv(Env::FromMap({{"WEBHOOK_URL", "https://"}}));
               }).empty());
}

// Issue 13 defect 12: the same URL API as the forwarder's libcurl, so a URL it cannot post to
// stops the relay at start instead of failing every forward.
TEST(ChatRelayConfigTest, RefusesWebhookUrlsLibcurlCannotFetch) {
  for (const char* url :
       {"http://127.0.0.1:8080:9090/h", "http://user:pa@ss@127.0.0.1/h", "http://a\\b/h"}) {
    const std::string error = ErrorOf([&] {
      ChatRelayConfig::FromEnv(Env::FromMap({{"WEBHOOK_URL", url}}));
    });
    EXPECT_NE(error.find("WEBHOOK_URL must be an http:// or https:// URL"), std::string::npos)
        << url << ": " << error;
  }
}

TEST(ChatRelayConfigTest, ReadsForwardSettings) {
  const auto defaults =
      ChatRelayConfig::FromEnv(Env::FromMap({{"WEBHOOK_URL", "http://127.0.0.1:1/h"}}));
  // Within lokahi's 10 s per-attempt timeout, so the relay answers before the sender retries.
  EXPECT_LT(defaults.request_timeout + defaults.busy_wait, std::chrono::seconds(10));
  const auto config =
      ChatRelayConfig::FromEnv(Env::FromMap({{"WEBHOOK_URL", "http://127.0.0.1:1/h"},
                                             {"FORWARD_TIMEOUT_MS", "1500"},
                                             {"FORWARD_BUSY_WAIT_MS", "0"}}));
  EXPECT_EQ(config.webhook_url, "http://127.0.0.1:1/h");
  EXPECT_EQ(config.request_timeout, std::chrono::milliseconds(1500));
  EXPECT_EQ(config.busy_wait, std::chrono::milliseconds(0));
  EXPECT_FALSE(ErrorOf([] {
                 ChatRelayConfig::FromEnv(
                     Env::FromMap({{"WEBHOOK_URL", "http://h/x"}, {"FORWARD_TIMEOUT_MS", "0"}}));
               }).empty());
}

TEST(DukeConfigTest, AcceptsFractionalPeriods) {
  EXPECT_EQ(DukeConfig::FromEnv(Env::FromMap({})).period, std::chrono::seconds(60));
  EXPECT_EQ(DukeConfig::FromEnv(Env::FromMap({{"DUKE_PERIOD", "0.5"}})).period,
            std::chrono::milliseconds(500));
  EXPECT_EQ(DukeConfig::FromEnv(Env::FromMap({{"DUKE_PERIOD", "2"}})).period,
            std::chrono::seconds(2));
  for (const char* bad : {"abc", "0", "-1", "0.5s", "1e9", "nan", "inf"}) {
    const std::string error = ErrorOf([&] {
      DukeConfig::FromEnv(Env::FromMap({{"DUKE_PERIOD", bad}}));
    });
    EXPECT_NE(error.find("DUKE_PERIOD must be a number of seconds between 0.01 and 86400"),
              std::string::npos)
        << bad << ": " << error;
  }
}

TEST(ScrubWebhookUrlTest, KeepsOnlySchemeHostAndPort) {
  EXPECT_EQ(ScrubWebhookUrl("https://discord.com/api/webhooks/123/s3cr3t"),
            "https://discord.com/***");
  EXPECT_EQ(ScrubWebhookUrl("https://hooks.slack.com/services/T0/B1/xyz"),
            "https://hooks.slack.com/***");
  EXPECT_EQ(ScrubWebhookUrl("http://user:pw@127.0.0.1:8443/x?token=1"),
            "http://***@127.0.0.1:8443/***");
  EXPECT_EQ(ScrubWebhookUrl("http://host?token=1"), "http://host/***");
  EXPECT_EQ(ScrubWebhookUrl("http://host/"), "http://host");
  EXPECT_EQ(ScrubWebhookUrl("http://host"), "http://host");
  EXPECT_EQ(ScrubWebhookUrl("not a url with secret"), "***");
}

}  // namespace
}  // namespace lokahi::receivers
