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
  for (const char* token : {"", "c1.", "c1.123", "c1.123.", "c1.x.a5c7179a-0d3a-11e8-b53d-8faa88cfa70c",
                            "c2.123.a5c7179a-0d3a-11e8-b53d-8faa88cfa70c",
                            "c1.123.a5c7179a-0d3a-11e8-b53d-8faa88cfa70", "c1.-.a5c7179a"}) {
    EXPECT_FALSE(ParsePageToken(token)) << token;
  }
}

}  // namespace
}  // namespace lokahi::lokahid
