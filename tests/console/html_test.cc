// The console's escaping: every user value reaches a page through HtmlEscape.

#include "lokahid/console/html.h"

#include <gtest/gtest.h>

namespace lokahi::lokahid {
namespace {

TEST(HtmlEscapeTest, EscapesEveryCharacterThatEndsTextOrAnAttribute) {
  EXPECT_EQ(HtmlEscape("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
  EXPECT_EQ(HtmlEscape("a & b"), "a &amp; b");
  EXPECT_EQ(HtmlEscape("\" onmouseover=\"x"), "&quot; onmouseover=&quot;x");
  EXPECT_EQ(HtmlEscape("' autofocus onfocus='x"), "&#39; autofocus onfocus=&#39;x");
  EXPECT_EQ(HtmlEscape("&lt;"),
            "&amp;lt;");  // already-escaped text is escaped again
}

TEST(HtmlEscapeTest, KeepsValidUtf8AndPlainText) {
  EXPECT_EQ(HtmlEscape("https://example.com/a?b=c"), "https://example.com/a?b=c");
  EXPECT_EQ(HtmlEscape("caf\xC3\xA9 \xE2\x86\x92 \xF0\x9F\x98\x80"),
            "caf\xC3\xA9 \xE2\x86\x92 \xF0\x9F\x98\x80");
  EXPECT_EQ(HtmlEscape("tab\tnew\nline\r"), "tab\tnew\nline\r");
}

TEST(HtmlEscapeTest, ReplacesInvalidUtf8AndControlCharacters) {
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(HtmlEscape("a\xFF"
                       "b"),
            "a" + fffd + "b");
  EXPECT_EQ(HtmlEscape("\xC0\xBC"), fffd + fffd);             // overlong '<'
  EXPECT_EQ(HtmlEscape("\xED\xA0\x80"), fffd + fffd + fffd);  // a surrogate
  EXPECT_EQ(HtmlEscape("\xE2\x86"), fffd + fffd);             // cut short
  EXPECT_EQ(HtmlEscape(std::string("nul\0x", 5)), "nul" + fffd + "x");
  EXPECT_EQ(HtmlEscape("\x1B[31m"), fffd + "[31m");
}

TEST(HtmlTest, TextIsEscapedAndMarkupIsNot) {
  Html h;
  h << "<p title=\"";
  h.Text("\"><img src=x onerror=alert(1)>") << "\">";
  h.Text("<b>") << "</p>";
  EXPECT_EQ(h.str(),
            "<p title=\"&quot;&gt;&lt;img src=x "
            "onerror=alert(1)&gt;\">&lt;b&gt;</p>");
}

TEST(UrlCodingTest, RoundTripsAndDecodesForms) {
  EXPECT_EQ(UrlEncode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
  EXPECT_EQ(UrlDecode(UrlEncode("a b&c=d/é")), "a b&c=d/é");
  EXPECT_EQ(UrlDecode("a+b%2"), "a b%2");
  EXPECT_EQ(UrlDecode("%zz%41"), "%zzA");
}

}  // namespace
}  // namespace lokahi::lokahid
