#include "lib/webhook/url_redaction.h"

#include <gtest/gtest.h>

namespace lokahi::webhook {
namespace {

TEST(UrlRedactionTest, KeepsOnlySchemeAndHost) {
  EXPECT_EQ(RedactUrl("https://hooks.slack.com/services/T000/B000/XXXXSECRET"),
            "https://hooks.slack.com/…");
  EXPECT_EQ(RedactUrl("https://discord.com/api/webhooks/123/tok-en"), "https://discord.com/…");
  EXPECT_EQ(RedactUrl("http://example.com?token=abc"), "http://example.com/…");
  EXPECT_EQ(RedactUrl("http://example.com#frag"), "http://example.com/…");
  EXPECT_EQ(RedactUrl("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
  EXPECT_EQ(RedactUrl("http://[::1]:8080/x"), "http://[::1]:8080/…");
}

TEST(UrlRedactionTest, DropsUserinfoEvenWithAtSignsInThePassword) {
  EXPECT_EQ(RedactUrl("https://user:p%40ss@h.example.com/x"), "https://h.example.com/…");
  // libcurl (so the API too) refuses a second '@': nothing of it is shown.
  EXPECT_EQ(RedactUrl("https://user:p@ss@h.example.com:9/x?q=1"), "(unparseable url)");
  const auto redacted = RedactUrl("https://admin:hunter2@h.example.com/path/secret?k=v");
  EXPECT_EQ(redacted.find("hunter2"), std::string::npos);
  EXPECT_EQ(redacted.find("secret"), std::string::npos);
  EXPECT_EQ(redacted.find("admin"), std::string::npos);
}

TEST(UrlRedactionTest, UnparseableGivesNoDetail) {
  EXPECT_EQ(RedactUrl("not a url with secret"), "(unparseable url)");
  EXPECT_EQ(RedactUrl("://host/secret"), "(unparseable url)");
  EXPECT_EQ(RedactUrl("http://"), "(unparseable url)");
  EXPECT_EQ(RedactUrl("ht tp://host/secret"), "(unparseable url)");
  EXPECT_EQ(RedactUrl("http://user:pw@/secret"), "(unparseable url)");
}

}  // namespace
}  // namespace lokahi::webhook

namespace lokahi::webhook {
namespace {

TEST(WithoutUserinfoTest, DropsUserAndPasswordAndKeepsTheRest) {
  EXPECT_EQ(WithoutUserinfo("http://user:secret@127.0.0.1:8080/health?a=1#f"),
            "http://127.0.0.1:8080/health?a=1#f");
  EXPECT_EQ(WithoutUserinfo("https://token@hooks.example.com/x"), "https://hooks.example.com/x");
  // libcurl's reading of a password holding '@' (the last '@' ends the userinfo).
  EXPECT_EQ(WithoutUserinfo("http://user:pa%40ss@host.example.com/"), "http://host.example.com/");
}

TEST(WithoutUserinfoTest, LeavesUrlsWithoutUserinfoUnchanged) {
  EXPECT_EQ(WithoutUserinfo("https://hooks.example.com/T0/B1/xyz"),
            "https://hooks.example.com/T0/B1/xyz");
  EXPECT_EQ(WithoutUserinfo("http://example.com"), "http://example.com");
  EXPECT_EQ(WithoutUserinfo(""), "");
  EXPECT_EQ(WithoutUserinfo("not a url"), "(unparseable url)");
}

}  // namespace
}  // namespace lokahi::webhook
