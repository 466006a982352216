#include "lokahid/page_token.h"

#include <gtest/gtest.h>

namespace lokahi::lokahid {
namespace {

TEST(PageToken, RoundTripsTheLastCheckOfAPage) {
  checks::Check last;
  last.id = "a5c7179a-0d3a-11e8-b53d-8faa88cfa70c";
  last.created_at = checks::Timestamp(std::chrono::microseconds(1763772000123456));
  const auto cursor = ParsePageToken(PageTokenAfter(last));
  ASSERT_TRUE(cursor);
  EXPECT_EQ(cursor->created_unix_us, 1763772000123456);
  EXPECT_EQ(cursor->id, last.id);
}

TEST(PageToken, RefusesWhatItDidNotMake) {
  for (const char* token :
       {"", "c1.", "c1.123", "c1.123.", "c1.x.a5c7179a-0d3a-11e8-b53d-8faa88cfa70c",
        "c2.123.a5c7179a-0d3a-11e8-b53d-8faa88cfa70c", "c1.123.a5c7179a-0d3a-11e8-b53d-8faa88cfa70",
        "c1.-.a5c7179a"}) {
    EXPECT_FALSE(ParsePageToken(token)) << token;
  }
}

// Issue 13 defect 6: these reached Postgres, failed there ("interval out of range") and the call
// answered INTERNAL, logging at error level.
TEST(PageToken, RefusesCreationTimesOutsideWhatTheStoreCanCompute) {
  const std::string id = ".a5c7179a-0d3a-11e8-b53d-8faa88cfa70c";
  for (const std::string micros : {"9223372036854775807", "-9223372036854775808",
                                   "999999999999999999", "-1", "253402300800000000"}) {
    EXPECT_FALSE(ParsePageToken("c1." + micros + id)) << micros;
  }
  EXPECT_TRUE(ParsePageToken("c1.0" + id));
  EXPECT_TRUE(ParsePageToken("c1.253402300799999999" + id));
}

TEST(PageToken, RoundTripsTheKeysOfEachOrder) {
  checks::Check last;
  last.id = "a5c7179a-0d3a-11e8-b53d-8faa88cfa70c";
  last.created_at = checks::Timestamp(std::chrono::microseconds(1763772000123456));
  last.options.name = "api.example.com ünïcode.";
  last.state = checks::State::kDown;
  last.state_changed_at = checks::Timestamp(std::chrono::microseconds(1763772999000001));
  const auto name = ParsePageToken(PageTokenAfter(last, store::ListOrder::kName));
  ASSERT_TRUE(name);
  EXPECT_EQ(name->order, store::ListOrder::kName);
  EXPECT_EQ(name->name, last.options.name);
  EXPECT_EQ(name->id, last.id);
  const auto state = ParsePageToken(PageTokenAfter(last, store::ListOrder::kStateFailingFirst));
  ASSERT_TRUE(state);
  EXPECT_EQ(state->order, store::ListOrder::kStateFailingFirst);
  EXPECT_EQ(state->state, 2);
  EXPECT_EQ(state->created_unix_us, 1763772000123456);
  const auto since = ParsePageToken(PageTokenAfter(last, store::ListOrder::kSinceNewest));
  ASSERT_TRUE(since);
  EXPECT_EQ(since->order, store::ListOrder::kSinceNewest);
  EXPECT_EQ(since->since_unix_us, 1763772999000001);
  EXPECT_EQ(ParsePageToken(PageTokenAfter(last))->order, store::ListOrder::kCreated);
  for (const std::string bad :
       {"n1.a5c7179a-0d3a-11e8-b53d-8faa88cfa70c.6", "n1.x.61",
        "n1.a5c7179a-0d3a-11e8-b53d-8faa88cfa70c.zz", "s1.4.0.a5c7179a-0d3a-11e8-b53d-8faa88cfa70c",
        "s1.2.a5c7179a-0d3a-11e8-b53d-8faa88cfa70c", "t1.-5.x"}) {
    EXPECT_FALSE(ParsePageToken(bad)) << bad;
  }
}

}  // namespace
}  // namespace lokahi::lokahid
