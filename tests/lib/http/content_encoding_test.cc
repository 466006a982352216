// gzip of answers: which clients get it, which answers qualify, and that what is sent inflates
// back to the original with zlib.

#include "lib/http/content_encoding.h"

#include <gtest/gtest.h>

#include "tests/console/fetch.h"

namespace lokahi::http {
namespace {

using testing::Gunzip;

Request Accepting(const std::string& accept_encoding) {
  Request request;
  request.method = "GET";
  request.path = "/status";
  if (!accept_encoding.empty()) request.headers.Set("Accept-Encoding", accept_encoding);
  return request;
}

Response Html(std::string body) {
  Response response;
  response.headers.Set("Content-Type", "text/html; charset=utf-8");
  response.headers.Set("ETag", "\"abc\"");
  response.body = std::move(body);
  return response;
}

TEST(AcceptsGzipTest, ReadsTheCodingsAndTheirWeights) {
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("gzip, deflate, br"));
  EXPECT_TRUE(AcceptsGzip("br;q=1.0, GZIP;q=0.5"));
  EXPECT_TRUE(AcceptsGzip("x-gzip"));
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_FALSE(AcceptsGzip(""));
  EXPECT_FALSE(AcceptsGzip("identity"));
  EXPECT_FALSE(AcceptsGzip("deflate, br"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzip; q=0.000, *"));  // named gzip refused wins over *
  EXPECT_FALSE(AcceptsGzip("*;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzipx"));
}

TEST(CompressForClientTest, TextForAClientTakingGzipIsSentCompressedWithItsOwnEtag) {
  std::string page;
  for (int i = 0; i < 500; ++i) page += "<li>check " + std::to_string(i) + " is up</li>";
  auto response = Html(page);
  EXPECT_TRUE(CompressForClient(Accepting("gzip, deflate"), response));
  EXPECT_EQ(response.headers.Get("Content-Encoding"), "gzip");
  EXPECT_EQ(response.headers.Get("Vary"), "Accept-Encoding");
  EXPECT_EQ(response.headers.Get("ETag"), "\"abc-gzip\"");
  EXPECT_LT(response.body.size(), page.size() / 4);
  EXPECT_EQ(Gunzip(response.body), page);
}

TEST(CompressForClientTest, OtherAnswersAreLeftAsTheyAre) {
  const std::string big(4096, 'x');
  auto plain = Html(big);  // a client that does not say it takes gzip
  EXPECT_FALSE(CompressForClient(Accepting(""), plain));
  EXPECT_EQ(plain.body, big);
  EXPECT_FALSE(plain.headers.Has("Content-Encoding"));
  EXPECT_EQ(plain.headers.Get("Vary"), "Accept-Encoding");  // caches keep both apart
  EXPECT_EQ(plain.headers.Get("ETag"), "\"abc\"");

  auto small = Html("<p>ok</p>");
  EXPECT_FALSE(CompressForClient(Accepting("gzip"), small));

  Response png;
  png.headers.Set("Content-Type", "image/png");
  png.body = big;
  EXPECT_FALSE(CompressForClient(Accepting("gzip"), png));
  EXPECT_FALSE(png.headers.Has("Vary"));

  auto encoded = Html(big);
  encoded.headers.Set("Content-Encoding", "br");
  EXPECT_FALSE(CompressForClient(Accepting("gzip"), encoded));
  EXPECT_EQ(encoded.body, big);

  for (const std::string type :
       {"application/json", "text/css", "application/javascript", "image/svg+xml"}) {
    Response r;
    r.headers.Set("Content-Type", type);
    r.body = big;
    EXPECT_TRUE(CompressForClient(Accepting("gzip"), r)) << type;
    EXPECT_EQ(Gunzip(r.body), big) << type;
  }
}

}  // namespace
}  // namespace lokahi::http
