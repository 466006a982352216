#include "lib/url/url.h"

#include <gtest/gtest.h>

namespace lokahi::url {
namespace {

TEST(Url, PartsAsLibcurlSeesThem) {
  const auto url = Url::Parse("HTTP://User:p%40ss@Example.COM:8080/a/b?x=1#top");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->scheme(), "http");
  EXPECT_EQ(url->host(), "Example.COM");
  EXPECT_EQ(url->port(), 8080);
  EXPECT_EQ(url->user(), "User");
  EXPECT_EQ(url->password(), "p%40ss");
  EXPECT_EQ(url->path(), "/a/b");
  EXPECT_EQ(url->query(), "x=1");
  EXPECT_EQ(url->fragment(), "top");
  EXPECT_EQ(url->WithoutUserinfo(), "http://Example.COM:8080/a/b?x=1#top");
  EXPECT_EQ(url->Origin(), "http://Example.COM:8080");
}

TEST(Url, NoPortIsZeroAndIpv6KeepsBrackets) {
  const auto url = Url::Parse("https://[::1]/");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->host(), "[::1]");
  EXPECT_EQ(url->port(), 0);
  EXPECT_EQ(url->Origin(), "https://[::1]");
}

TEST(Url, CopiesAreIndependent) {
  auto a = Url::Parse("http://u:p@h/");
  ASSERT_TRUE(a);
  const Url b = *a;
  a = Url::Parse("http://other/");
  EXPECT_EQ(b.str(), "http://u:p@h/");
  EXPECT_EQ(a->host(), "other");
}

std::string Why(std::string_view text, const ParseOptions& options = {}) {
  std::string why;
  EXPECT_FALSE(Url::Parse(text, &why, options)) << text;
  return why;
}

TEST(Url, RefusesWithReasons) {
  EXPECT_EQ(Why(""), "is empty");
  EXPECT_EQ(Why("example.com/"), "must be an absolute http:// or https:// URL");
  EXPECT_EQ(Why("http:x"), "must have \"//\" after the scheme, as in http://host/");
  EXPECT_EQ(Why("gopher://h/"), "must use http or https, got \"gopher\"");
  EXPECT_EQ(Why("http://h:8080:9090/"), "port must be one number between 1 and 65535 (host:port)");
  EXPECT_EQ(Why("http://h:0/"), "port must be one number between 1 and 65535 (host:port)");
  EXPECT_TRUE(Why("http://u:p@ss@h/").starts_with("has an invalid host"));
  EXPECT_TRUE(Why("http://a\\b/").starts_with("has an invalid host"));
  EXPECT_EQ(Why("http://h/\xe2\x82\xac"), "must be ASCII; use punycode and %-encoding");
  EXPECT_EQ(Why("http://h/\x7f"), "contains whitespace or control characters");
  EXPECT_EQ(Why(std::string_view("http://h/\0x", 11)), "contains whitespace or control characters");
  EXPECT_EQ(Why("http://h/" + std::string(8192, 'a')), "must be at most 8192 bytes, got 8201");
}

TEST(Url, OptionsWidenWhatIsAccepted) {
  EXPECT_TRUE(Url::Parse("nats://token@h:4222", nullptr, {.schemes = ""}));
  EXPECT_EQ(Why("ftp://h/", {.schemes = "nats,tls"}), "must use nats or tls, got \"ftp\"");
  EXPECT_TRUE(Url::Parse("http://h:0/", nullptr, {.allow_port_zero = true}));
}

}  // namespace
}  // namespace lokahi::url
