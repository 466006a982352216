#include "webhookworker/config.h"

#include <gtest/gtest.h>

namespace lokahi::webhookworker {
namespace {

using config::ConfigError;
using config::Env;

TEST(WebhookWorkerConfigTest, Defaults) {
  const auto c = WebhookWorkerConfig::FromEnv(Env::FromMap({}));
  EXPECT_EQ(c.deadline, std::chrono::seconds(86400));
  EXPECT_EQ(c.request_timeout, std::chrono::milliseconds(10000));
  EXPECT_EQ(c.concurrency, 256);
  EXPECT_EQ(c.db_pool_size, 4);
  EXPECT_EQ(c.sweep_interval, std::chrono::milliseconds(1000));
  EXPECT_EQ(c.metrics_port, 0);
  EXPECT_EQ(c.max_backoff, std::chrono::milliseconds(600000));
  EXPECT_EQ(c.ops_webhook_url, "");
  EXPECT_FALSE(c.default_key);
  EXPECT_EQ(c.egress_deny,
            (std::vector<std::string>{"169.254.0.0/16", "fe80::/10", "0.0.0.0/8", "::/128"}));
}

TEST(WebhookWorkerConfigTest, ReadsEveryVariable) {
  const auto c = WebhookWorkerConfig::FromEnv(Env::FromMap({
      {"DATABASE_URL", "postgresql://u:pw@db:5432/lokahi"},
      {"NATS_URL", "nats://n:4222"},
      {"LOKAHI_WEBHOOK_SECRET", "whsec_c2VjcmV0"},
      {"LOKAHI_WEBHOOK_DEADLINE", "600"},
      {"LOKAHI_WEBHOOK_TIMEOUT_MS", "2500"},
      {"LOKAHI_WEBHOOK_CONCURRENCY", "32"},
      {"LOKAHI_DB_POOL_SIZE", "2"},
      {"LOKAHI_SWEEP_INTERVAL_MS", "250"},
      {"LOKAHI_METRICS_PORT", "9100"},
      {"LOKAHI_WEBHOOK_MAX_BACKOFF_MS", "5000"},
      {"LOKAHI_OPS_WEBHOOK_URL", "https://ops.example.com/hooks/T0/secret-token"},
  }));
  EXPECT_EQ(c.database_url, "postgresql://u:pw@db:5432/lokahi");
  EXPECT_EQ(c.nats_url, "nats://n:4222");
  ASSERT_TRUE(c.default_key);
  EXPECT_EQ(c.default_key->bytes(), "secret");
  EXPECT_EQ(c.deadline, std::chrono::seconds(600));
  EXPECT_EQ(c.request_timeout, std::chrono::milliseconds(2500));
  EXPECT_EQ(c.concurrency, 32);
  EXPECT_EQ(c.db_pool_size, 2);
  EXPECT_EQ(c.sweep_interval, std::chrono::milliseconds(250));
  EXPECT_EQ(c.metrics_port, 9100);
  EXPECT_EQ(c.max_backoff, std::chrono::milliseconds(5000));
  EXPECT_EQ(c.ops_webhook_url, "https://ops.example.com/hooks/T0/secret-token");
}

TEST(WebhookWorkerConfigTest, DescribeScrubsSecrets) {
  const auto c = WebhookWorkerConfig::FromEnv(Env::FromMap({
      {"DATABASE_URL", "postgresql://u:dbpassword@db/lokahi"},
      {"LOKAHI_WEBHOOK_SECRET", "whsec_c2VjcmV0"},
      {"LOKAHI_OPS_WEBHOOK_URL", "https://ops.example.com/hooks/T0/secret-token"},
  }));
  const auto text = c.Describe();
  EXPECT_EQ(text.find("dbpassword"), std::string::npos) << text;
  EXPECT_EQ(text.find("c2VjcmV0"), std::string::npos) << text;
  EXPECT_EQ(text.find("secret-token"), std::string::npos) << text;
  EXPECT_NE(text.find("LOKAHI_OPS_WEBHOOK_URL=https://ops.example.com/"), std::string::npos)
      << text;
  EXPECT_NE(text.find("LOKAHI_WEBHOOK_CONCURRENCY=256"), std::string::npos) << text;
}

void ExpectErrorNaming(std::map<std::string, std::string> values, const std::string& name) {
  try {
    WebhookWorkerConfig::FromEnv(Env::FromMap(values));
    ADD_FAILURE() << "accepted " << name;
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
  }
}

TEST(WebhookWorkerConfigTest, BadValuesNameTheVariable) {
  ExpectErrorNaming({{"LOKAHI_WEBHOOK_SECRET", "plain"}}, "LOKAHI_WEBHOOK_SECRET");
  ExpectErrorNaming({{"LOKAHI_WEBHOOK_SECRET", "whsec_!!"}}, "LOKAHI_WEBHOOK_SECRET");
  ExpectErrorNaming({{"LOKAHI_WEBHOOK_DEADLINE", "0"}}, "LOKAHI_WEBHOOK_DEADLINE");
  ExpectErrorNaming({{"LOKAHI_WEBHOOK_TIMEOUT_MS", "soon"}}, "LOKAHI_WEBHOOK_TIMEOUT_MS");
  ExpectErrorNaming({{"LOKAHI_WEBHOOK_CONCURRENCY", "0"}}, "LOKAHI_WEBHOOK_CONCURRENCY");
  ExpectErrorNaming({{"LOKAHI_DB_POOL_SIZE", "-1"}}, "LOKAHI_DB_POOL_SIZE");
  ExpectErrorNaming({{"LOKAHI_SWEEP_INTERVAL_MS", "1"}}, "LOKAHI_SWEEP_INTERVAL_MS");
  ExpectErrorNaming({{"LOKAHI_METRICS_PORT", "70000"}}, "LOKAHI_METRICS_PORT");
  ExpectErrorNaming({{"LOKAHI_WEBHOOK_MAX_BACKOFF_MS", "10"}}, "LOKAHI_WEBHOOK_MAX_BACKOFF_MS");
  ExpectErrorNaming({{"LOKAHI_OPS_WEBHOOK_URL", "ops.example.com"}}, "LOKAHI_OPS_WEBHOOK_URL");
  ExpectErrorNaming({{"LOKAHI_EGRESS_DENY", "10.0.0.0/33"}}, "LOKAHI_EGRESS_DENY");
}

}  // namespace
}  // namespace lokahi::webhookworker
