#include "lib/metrics/readiness.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace lokahi::metrics {
namespace {

TEST(ReadinessTest, AllOfIsReadyOnlyWhenEveryCheckIs) {
  bool nats_up = true;
  bool db_up = true;
  const auto check = AllOf({
      [&] { return nats_up ? Readiness::Ready() : Readiness::NotReady("nats: disconnected"); },
      [&] { return db_up ? Readiness::Ready() : Readiness::NotReady("postgres: unreachable"); },
  });
  EXPECT_TRUE(check().ready);
  nats_up = false;
  EXPECT_FALSE(check().ready);
  EXPECT_EQ(check().reason, "nats: disconnected");
  db_up = false;
  EXPECT_EQ(check().reason, "nats: disconnected; postgres: unreachable");
}

TEST(ReadinessTest, ThrowingCheckIsNotReadyWithItsMessage) {
  const auto check = AllOf({[]() -> Readiness { throw std::runtime_error("pool closed"); }});
  const auto readiness = check();
  EXPECT_FALSE(readiness.ready);
  EXPECT_NE(readiness.reason.find("pool closed"), std::string::npos);
}

TEST(ReadinessTest, NoCheckMeansReady) {
  EXPECT_TRUE(Evaluate(nullptr).ready);
  EXPECT_TRUE(AllOf({})().ready);
}

}  // namespace
}  // namespace lokahi::metrics
