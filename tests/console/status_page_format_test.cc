// What the status page's JSON and banner make of the values they are given.

#include <gtest/gtest.h>

#include "lokahid/status_page/status_page.h"
#include "lokahid/status_page/status_page_handler.h"

namespace lokahi::lokahid {
namespace {

TEST(JsonStringTest, EscapesQuotesControlsAndMarkup) {
  EXPECT_EQ(JsonString("plain"), "\"plain\"");
  EXPECT_EQ(JsonString("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(JsonString("</script><b>&"), "\"\\u003c/script\\u003e\\u003cb\\u003e\\u0026\"");
  EXPECT_EQ(JsonString("l1\nl2\t\x01"), "\"l1\\nl2\\t\\u0001\"");
  EXPECT_EQ(JsonString("caf\xC3\xA9"), "\"caf\xC3\xA9\"");
}

TEST(BannerTest, SaysHowManyPublishedChecksFail) {
  const auto of = [](std::vector<checks::State> states) {
    std::vector<PublicCheck> checks;
    for (const auto s : states) checks.push_back({.state = s});
    return BannerOf(checks);
  };
  EXPECT_EQ(of({}), Banner::kNoChecks);
  EXPECT_EQ(of({checks::State::kUp, checks::State::kInit}), Banner::kOperational);
  EXPECT_EQ(of({checks::State::kUp, checks::State::kDown}), Banner::kPartialOutage);
  EXPECT_EQ(of({checks::State::kError, checks::State::kDown}), Banner::kMajorOutage);
}

TEST(StatusPageHtmlTest, NamesAreTextAndTheBarsAreNinety) {
  StatusPageData page;
  page.generated_unix_s = 1796549715;
  page.checks.push_back({.id = "8f14e45f-ceea-467f-a0e6-6ad2c3e1a9f1",
                         .name = "<img src=x onerror=alert(1)>",
                         .state = checks::State::kDown,
                         .since_unix_s = 1796549715 - 600});
  page.banner = BannerOf(page.checks);
  const std::string html = StatusPageHtml(page);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_NE(html.find("&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
  size_t bars = 0;
  for (size_t at = html.find("h6v34h-6z"); at != std::string::npos;
       at = html.find("h6v34h-6z", at + 1)) {
    ++bars;
  }
  EXPECT_EQ(bars, 90u);
  EXPECT_NE(html.find("<title>90 days without data</title>"), std::string::npos);
  EXPECT_NE(html.find("(for 10m 0s)"), std::string::npos);
}

TEST(SlugTest, AcceptsLabelValuesOnly) {
  EXPECT_EQ(ParseSlug("shop"), "shop");
  EXPECT_EQ(ParseSlug("eu-west.2"), "eu-west.2");
  EXPECT_EQ(ParseSlug(""), std::nullopt);
  EXPECT_EQ(ParseSlug("../x"), std::nullopt);
  EXPECT_EQ(ParseSlug("a\"b"), std::nullopt);
  EXPECT_EQ(ParseSlug(std::string(64, 'a')), std::nullopt);
}

}  // namespace
}  // namespace lokahi::lokahid
