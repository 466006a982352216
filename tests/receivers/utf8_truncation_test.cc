#include "receivers/core/utf8_truncation.h"

#include <gtest/gtest.h>

#include <string>

namespace lokahi::receivers {
namespace {

// Strict UTF-8 check (no overlongs, surrogates or values past U+10FFFF),
// independent of the code under test.
bool IsValidUtf8(const std::string& text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    size_t length = 0;
    unsigned min = 0;
    unsigned code = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      length = 2, code = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      length = 3, code = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      length = 4, code = c & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += length;
  }
  return true;
}

TEST(Utf16LengthTest, CountsLikeJavaScript) {
  EXPECT_EQ(Utf16Length(""), 0u);
  EXPECT_EQ(Utf16Length("abc"), 3u);
  EXPECT_EQ(Utf16Length("é"), 1u);         // 2 bytes, BMP
  EXPECT_EQ(Utf16Length("—"), 1u);         // 3 bytes, BMP
  EXPECT_EQ(Utf16Length("🔴"), 2u);         // 4 bytes, surrogate pair
  EXPECT_EQ(Utf16Length("\xff\xfe"), 2u);  // invalid bytes count one each
  EXPECT_EQ(Utf16Length("\xe2\x80"), 2u);  // cut-off sequence: byte by byte
}

TEST(TruncateUtf8Test, LeavesTextThatFitsAlone) {
  EXPECT_EQ(TruncateUtf8("hello", 5), "hello");
  EXPECT_EQ(TruncateUtf8("🔴 down", 7), "🔴 down");
  EXPECT_EQ(TruncateUtf8("", 0), "");
}

TEST(TruncateUtf8Test, CutsToTheLimitWithAnEllipsis) {
  const std::string cut = TruncateUtf8(std::string(5000, 'a'), 2000);
  EXPECT_EQ(Utf16Length(cut), 2000u);
  EXPECT_EQ(cut, std::string(1999, 'a') + "…");
}

TEST(TruncateUtf8Test, NeverSplitsASurrogatePairOrMultiByteCharacter) {
  // Budget of 3 units before the ellipsis: one emoji (2) fits, a second (2 more) does not.
  EXPECT_EQ(TruncateUtf8("🔴🔴🔴", 4), "🔴…");
  EXPECT_EQ(TruncateUtf8("🔴🔴🔴", 3), "🔴…");
  EXPECT_EQ(TruncateUtf8("🔴🔴🔴", 2), "…");
  EXPECT_EQ(TruncateUtf8("ééé", 2), "é…");
}

TEST(TruncateUtf8Test, EveryLimitGivesValidUtf8WithinTheLimit) {
  const std::string text = "check é—🔴 ok 日本語 🟢x";
  ASSERT_TRUE(IsValidUtf8(text));
  for (size_t limit = 0; limit <= Utf16Length(text) + 1; ++limit) {
    const std::string cut = TruncateUtf8(text, limit);
    SCOPED_TRACE("limit " + std::to_string(limit) + ": " + cut);
    EXPECT_TRUE(IsValidUtf8(cut));
    EXPECT_LE(Utf16Length(cut), limit);
    if (cut != text && !cut.empty()) {
      const std::string kept = cut.substr(0, cut.size() - std::string("…").size());
      EXPECT_EQ(text.compare(0, kept.size(), kept), 0) << "not a prefix";
      EXPECT_GE(Utf16Length(kept) + 2, limit) << "cut more than one character too early";
    }
  }
}

TEST(TruncateUtf8Test, KeepsInvalidBytesWithoutGrowingPastTheLimit) {
  const std::string cut = TruncateUtf8("\xff\xff\xff\xff", 3);
  EXPECT_EQ(cut, "\xff\xff…");
  EXPECT_EQ(Utf16Length(cut), 3u);
}

}  // namespace
}  // namespace lokahi::receivers
