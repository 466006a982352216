#include "receivers/core/recent_webhook_ids.h"

#include <gtest/gtest.h>

namespace lokahi::receivers {
namespace {

TEST(RecentWebhookIdsTest, ClaimsEachIdOnce) {
  RecentWebhookIds recent(10);
  EXPECT_TRUE(recent.Claim("msg_1"));
  EXPECT_FALSE(recent.Claim("msg_1"));
  EXPECT_TRUE(recent.Claim("msg_2"));
  EXPECT_FALSE(recent.Claim("msg_1"));
}

TEST(RecentWebhookIdsTest, EmptyIdsAreNeverRepeats) {
  RecentWebhookIds recent(10);
  EXPECT_TRUE(recent.Claim(""));
  EXPECT_TRUE(recent.Claim(""));
}

TEST(RecentWebhookIdsTest, ForgetsTheOldestBeyondCapacity) {
  RecentWebhookIds recent(2);
  EXPECT_TRUE(recent.Claim("a"));
  EXPECT_TRUE(recent.Claim("b"));
  EXPECT_TRUE(recent.Claim("c"));  // forgets "a"
  EXPECT_FALSE(recent.Claim("b"));
  EXPECT_FALSE(recent.Claim("c"));
  EXPECT_TRUE(recent.Claim("a"));
}

TEST(RecentWebhookIdsTest, ReleaseMakesAnIdClaimableAgain) {
  RecentWebhookIds recent(2);
  EXPECT_TRUE(recent.Claim("refused"));
  recent.Release("refused");
  recent.Release("never claimed");
  EXPECT_TRUE(recent.Claim("refused"));
  EXPECT_TRUE(recent.Claim("x"));
  EXPECT_TRUE(recent.Claim("y"));  // capacity still counts only what is remembered
  EXPECT_TRUE(recent.Claim("refused"));
}

TEST(RecentWebhookIdsTest, AnIdInProgressIsNeitherNewNorDone) {
  RecentWebhookIds recent(10);
  EXPECT_EQ(recent.Begin("msg_1"), WebhookIdClaim::kNew);
  EXPECT_EQ(recent.Begin("msg_1"), WebhookIdClaim::kInProgress);
  recent.Finish("msg_1");
  EXPECT_EQ(recent.Begin("msg_1"), WebhookIdClaim::kDone);
  EXPECT_EQ(recent.Begin("msg_2"), WebhookIdClaim::kNew);
  recent.Release("msg_2");  // its relay failed: the retry is handled anew
  EXPECT_EQ(recent.Begin("msg_2"), WebhookIdClaim::kNew);
}

}  // namespace
}  // namespace lokahi::receivers
