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

TEST(Scrub, HidesTokensQuerySecretsAndKeywordPasswords) {
  EXPECT_EQ(ScrubUrl("nats://s3cr3tT0ken@nats:4222"), "nats://***@nats:4222");
  EXPECT_EQ(ScrubUrl("tls://s3cr3tT0ken@nats:4222"), "tls://***@nats:4222");
  EXPECT_EQ(ScrubUrl("nats://a:hunter2@n1:4222,nats://b:hunter3@n2:4222"),
            "nats://a:***@n1:4222,nats://b:***@n2:4222");
  EXPECT_EQ(ScrubUrl("postgresql://u@db/app?password=hunter2&sslmode=require"),
            "postgresql://u@db/app?password=***&sslmode=require");
  EXPECT_EQ(ScrubUrl("postgresql:///app?host=/run/pg&sslpassword=k3y#frag"),
            "postgresql:///app?host=/run/pg&sslpassword=***#frag");
  EXPECT_EQ(ScrubUrl("host=db user=app password=hunter2 dbname=app"),
            "host=db user=app password=*** dbname=app");
  EXPECT_EQ(ScrubUrl("host=db password = 'it\\'s secret' port=5432"),
            "host=db password = *** port=5432");
  EXPECT_EQ(ScrubUrl("host=db port=5432"), "host=db port=5432");
  EXPECT_EQ(ScrubUrl("http://proxy:3128"), "http://proxy:3128");
  for (const std::string& printed :
       {ScrubUrl("nats://s3cr3tT0ken@nats:4222"), ScrubUrl("user=u password=s3cr3tT0ken"),
        ScrubUrl("postgres://h/d?password=s3cr3tT0ken")}) {
    EXPECT_EQ(printed.find("s3cr3tT0ken"), std::string::npos) << printed;
  }
}

}  // namespace
}  // namespace lokahi::config
