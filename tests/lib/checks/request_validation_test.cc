// How a probe asks (method, headers, body, redirects, IP version): what Validate accepts, what it
// says about the rest, and how the store spells it.

#include <gtest/gtest.h>

#include <stdexcept>

#include "lib/checks/options_json.h"
#include "lib/checks/validation.h"

namespace lokahi::checks {
namespace {

CheckOptions Valid() {
  CheckOptions o;
  o.url = "http://example.internal:8080/health";
  o.webhook_url = "https://hooks.example.com/lokahi";
  ApplyDefaults(o);
  return o;
}

TEST(RequestValidation, MethodsAreTheSevenNamedUppercase) {
  auto o = Valid();
  for (const char* method : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
    o.request.method = method;
    EXPECT_EQ(Validate(o, {}), std::nullopt) << method;
  }
  o.request.method = "FETCH";
  EXPECT_EQ(Validate(o, {}),
            "method must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, got \"FETCH\"");
  o.request.method = "get";
  EXPECT_NE(Validate(o, {}), std::nullopt);
}

TEST(RequestValidation, HeadersAreCappedAndTheirValuesNeverQuoted) {
  auto o = Valid();
  o.request.headers = {{"Authorization", "Bearer s3cr3t-token"}, {"X-Api-Key", "k"}};
  EXPECT_EQ(Validate(o, {}), std::nullopt);

  o.request.headers.assign(33, {"X-A", "b"});
  EXPECT_EQ(Validate(o, {}), "at most 32 headers, got 33");

  o.request.headers = {{"Bad Name", "v"}};
  EXPECT_NE(Validate(o, {})->find("header name must be"), std::string::npos);
  o.request.headers = {{"", "v"}};
  EXPECT_NE(Validate(o, {}), std::nullopt);

  o.request.headers = {{"Authorization", "Bearer s3cr3t\r\nX-Injected: 1"}};
  const auto problem = Validate(o, {});
  ASSERT_NE(problem, std::nullopt);
  EXPECT_NE(problem->find("header Authorization"), std::string::npos) << *problem;
  EXPECT_EQ(problem->find("s3cr3t"), std::string::npos) << "a value is never quoted: " << *problem;

  o.request.headers = {{"X-Token", std::string(kMaxHeaderValueBytes + 1, 'a')}};
  EXPECT_NE(Validate(o, {}), std::nullopt);
  o.request.headers = {{"X-Token", ""}};
  EXPECT_EQ(Validate(o, {}), "header X-Token needs a value");
  o.request.headers = {{"content-length", "5"}};
  EXPECT_NE(Validate(o, {})->find("set by the prober"), std::string::npos);
}

TEST(RequestValidation, BodyUpTo64KBWithAMethodThatSendsOne) {
  auto o = Valid();
  o.request.method = "POST";
  o.request.body = std::string(64 * 1024, 'x');
  EXPECT_EQ(Validate(o, {}), std::nullopt);
  o.request.body += "x";
  EXPECT_EQ(Validate(o, {}), "body must be at most 65536 bytes, got 65537");
  o.request.body = "{}";
  o.request.method = "GET";
  EXPECT_EQ(Validate(o, {}),
            "body needs a method that sends one (POST, PUT, PATCH, DELETE or OPTIONS), not GET");
  o.request.method = "PUT";
  o.request.body = "\xff\xfe";
  EXPECT_EQ(Validate(o, {}), "body must be UTF-8 text");
}

TEST(RequestValidation, IpVersionAnyFourOrSix) {
  auto o = Valid();
  for (auto v : {IpVersion::kAny, IpVersion::kV4, IpVersion::kV6}) {
    o.request.ip_version = v;
    EXPECT_EQ(Validate(o, {}), std::nullopt);
  }
  o.request.ip_version = static_cast<IpVersion>(5);
  EXPECT_EQ(Validate(o, {}), "ip_version must be any (0), 4 or 6, got 5");
}

TEST(ProbeJson, PlainGetIsAnEmptyObjectAndEverythingElseRoundTrips) {
  auto o = Valid();
  EXPECT_EQ(ProbeToJson(o), "{}");

  o.request.method = "PATCH";
  o.request.headers = {{"Authorization", "Bearer t"}, {"X-Trace", "1"}};
  o.request.body = "{\"ping\":true}";
  o.request.follow_redirects = false;
  o.request.ip_version = IpVersion::kV6;
  CheckOptions back = Valid();
  ProbeFromJson(ProbeToJson(o), back);
  EXPECT_EQ(back.request, o.request);

  EXPECT_THROW(ProbeFromJson("[]", back), std::invalid_argument);
  EXPECT_THROW(ProbeFromJson("{\"headers\":[1]}", back), std::invalid_argument);
}

}  // namespace
}  // namespace lokahi::checks
