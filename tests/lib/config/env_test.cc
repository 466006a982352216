#include "lib/config/env.h"

#include <gtest/gtest.h>

namespace lokahi::config {
namespace {

TEST(Env, IntInRangeAndErrorsNameTheVariable) {
  const auto env = Env::FromMap({{"PORT", "8080"}, {"BAD", "12x"}, {"BIG", "70000"}});
  EXPECT_EQ(env.Int("PORT", 1, 1, 65535), 8080);
  EXPECT_EQ(env.Int("UNSET", 42, 1, 65535), 42);
  try {
    env.Int("BAD", 1, 1, 10);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "BAD must be a whole number, got \"12x\"");
  }
  try {
    env.Int("BIG", 1, 1, 65535);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "BIG must be between 1 and 65535, got 70000");
  }
}

TEST(Env, EmptyReadsAsUnset) {
  const auto env = Env::FromMap({{"X", ""}});
  EXPECT_EQ(env.Get("X"), std::nullopt);
  EXPECT_EQ(env.String("X", "fallback"), "fallback");
  EXPECT_THROW(env.RequiredString("X"), ConfigError);
}

TEST(Env, BoolAndList) {
  const auto env = Env::FromMap({{"B", "yes"}, {"L", " 10.0.0.0/8, ,fe80::/10 "}, {"NB", "maybe"}});
  EXPECT_TRUE(env.Bool("B", false));
  EXPECT_THROW(env.Bool("NB", false), ConfigError);
  EXPECT_EQ(env.List("L", {}), (std::vector<std::string>{"10.0.0.0/8", "fe80::/10"}));
  EXPECT_EQ(env.List("UNSET", {"a"}), std::vector<std::string>{"a"});
}

TEST(Scrub, HidesPasswords) {
  EXPECT_EQ(ScrubUrl("postgres://postgres:hunter2@db:5432/postgres?sslmode=disable"),
            "postgres://postgres:***@db:5432/postgres?sslmode=disable");
  EXPECT_EQ(ScrubUrl("nats://127.0.0.1:4222"), "nats://127.0.0.1:4222");
  EXPECT_EQ(ScrubUrl("postgresql://u@h/db"), "postgresql://u@h/db");
  EXPECT_EQ(ScrubUserPass("AzureDiamond:hunter2"), "AzureDiamond:***");
}

}  // namespace
}  // namespace lokahi::config
