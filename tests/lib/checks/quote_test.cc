#include "lib/checks/quote.h"

#include <gtest/gtest.h>

namespace lokahi::checks {
namespace {

TEST(Quote, ShortValueQuotedWhole) { EXPECT_EQ(Quote("abc"), "\"abc\""); }

TEST(Quote, LongValueCutAt100BytesWithItsSize) {
  const std::string value(9000, 'a');
  EXPECT_EQ(Quote(value), "\"" + std::string(100, 'a') + "\"…(9000 bytes)");
  EXPECT_EQ(Quote(std::string(100, 'b')), "\"" + std::string(100, 'b') + "\"");
}

TEST(Quote, EscapesWhatWouldBreakALine) {
  EXPECT_EQ(Quote(std::string("a\"b\\c\nd\xc3\xbc", 9)), "\"a\\\"b\\\\c\\x0ad\\xc3\\xbc\"");
}

}  // namespace
}  // namespace lokahi::checks
