#include "lokahid/config.h"

#include <gtest/gtest.h>

namespace lokahi::lokahid {
namespace {

using config::ConfigError;
using config::Env;

TEST(LokahidConfig, DefaultsAreLokahis) {
  const auto c = LokahidConfig::FromEnv(Env::FromMap({}));
  EXPECT_EQ(c.port, 24253);
  EXPECT_FALSE(c.credentials.has_value());
  EXPECT_EQ(c.min_every_seconds, 10);
}

TEST(LokahidConfig, ReadsLokahisVariables) {
  const auto c = LokahidConfig::FromEnv(Env::FromMap({
      {"DATABASE_URL", "postgres://postgres:hunter2@db:5432/postgres?sslmode=disable"},
      {"NATS_URL", "nats://nats:4222"},
      {"USERPASS", "AzureDiamond:hunter2"},
      {"PORT", "9001"},
  }));
  EXPECT_EQ(c.port, 9001);
  ASSERT_TRUE(c.credentials);
  EXPECT_EQ(c.credentials->user, "AzureDiamond");
  EXPECT_EQ(c.credentials->password, "hunter2");
}

TEST(LokahidConfig, DescribeScrubsSecrets) {
  const auto c = LokahidConfig::FromEnv(Env::FromMap({
      {"DATABASE_URL", "postgres://postgres:hunter2@db:5432/postgres"},
      {"USERPASS", "AzureDiamond:hunter2"},
  }));
  const auto text = c.Describe();
  EXPECT_EQ(text.find("hunter2"), std::string::npos) << text;
  EXPECT_NE(text.find("AzureDiamond:***"), std::string::npos) << text;
}

TEST(LokahidConfig, BadValuesNameTheVariable) {
  EXPECT_THROW(LokahidConfig::FromEnv(Env::FromMap({{"USERPASS", "nopassword"}})), ConfigError);
  try {
    LokahidConfig::FromEnv(Env::FromMap({{"PORT", "http"}}));
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("PORT"), std::string::npos);
  }
  EXPECT_THROW(LokahidConfig::FromEnv(Env::FromMap({{"LOKAHI_DB_POOL_SIZE", "0"}})), ConfigError);
}

}  // namespace
}  // namespace lokahi::lokahid
