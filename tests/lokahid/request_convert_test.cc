// Request options (method, headers, body, redirects, IP version) through the API conversions:
// header values go in, only fingerprints come out, and a Put naming a header without a value
// keeps the stored one.

#include <gtest/gtest.h>

#include "lib/auth/secret_fingerprint.h"
#include "lokahid/convert.h"

namespace lokahi::lokahid {
namespace {

namespace pb = github::xe::lokahi;

TEST(RequestConvert, CreateCarriesTheRequestWithLokahisDefaults) {
  pb::CreateOpts opts;
  auto options = OptionsFromCreate(opts);
  EXPECT_EQ(options.request, checks::RequestOptions{}) << "GET, no headers, redirects followed";

  opts.set_method("POST");
  auto* header = opts.add_headers();
  header->set_name("Authorization");
  header->set_value("Bearer s3cr3t");
  opts.set_body("{\"q\":1}");
  opts.set_follow_redirects(false);
  opts.set_ip_version(pb::IP_V6);
  options = OptionsFromCreate(opts);
  EXPECT_EQ(options.request.method, "POST");
  ASSERT_EQ(options.request.headers.size(), 1u);
  EXPECT_EQ(options.request.headers[0].value, "Bearer s3cr3t");
  EXPECT_EQ(options.request.body, "{\"q\":1}");
  EXPECT_FALSE(options.request.follow_redirects);
  EXPECT_EQ(options.request.ip_version, checks::IpVersion::kV6);
}

TEST(RequestConvert, AnswersNeverCarryAHeaderValue) {
  checks::Check check;
  check.options.request.method = "POST";
  check.options.request.headers = {{"Authorization", "Bearer s3cr3t"}};
  const auto out = CheckToProto(check);
  ASSERT_EQ(out.headers_size(), 1);
  EXPECT_EQ(out.headers(0).name(), "Authorization");
  EXPECT_EQ(out.headers(0).value(), "");
  EXPECT_EQ(out.headers(0).value_fingerprint(), auth::SecretFingerprint("Bearer s3cr3t"));
  EXPECT_EQ(out.SerializeAsString().find("s3cr3t"), std::string::npos);
  EXPECT_EQ(out.method(), "POST");
}

TEST(RequestConvert, PutOfWhatGetReturnedKeepsTheSecrets) {
  checks::Check check;
  check.options.request.headers = {{"Authorization", "Bearer s3cr3t"}, {"X-Env", "prod"}};
  pb::Check patch = CheckToProto(check);  // values left out, as a client reads them
  patch.mutable_headers(1)->set_value("staging");
  patch.mutable_update_mask()->add_paths("headers");
  ASSERT_FALSE(ApplyPut(patch, check.options));
  ASSERT_EQ(check.options.request.headers.size(), 2u);
  EXPECT_EQ(check.options.request.headers[0].value, "Bearer s3cr3t");
  EXPECT_EQ(check.options.request.headers[1].value, "staging");

  pb::Check clear;
  clear.mutable_update_mask()->add_paths("headers");
  ASSERT_FALSE(ApplyPut(clear, check.options));
  EXPECT_TRUE(check.options.request.headers.empty());
}

TEST(RequestConvert, PutPathsForEachRequestField) {
  checks::CheckOptions options;
  options.request.method = "POST";
  options.request.body = "x";
  pb::Check patch;
  patch.set_method("PUT");
  patch.set_follow_redirects(false);
  ASSERT_FALSE(ApplyPut(patch, options)) << "no mask: set fields change";
  EXPECT_EQ(options.request.method, "PUT");
  EXPECT_EQ(options.request.body, "x");
  EXPECT_FALSE(options.request.follow_redirects);

  pb::Check reset;
  for (const char* path : {"method", "body", "follow_redirects", "ip_version"}) {
    reset.mutable_update_mask()->add_paths(path);
  }
  ASSERT_FALSE(ApplyPut(reset, options));
  EXPECT_EQ(options.request, checks::RequestOptions{}) << "named and empty: back to defaults";
}

TEST(RequestConvert, SpecCarriesTheRequestAndAPlainGetAddsNothing) {
  checks::CheckOptions options;
  lokahi::internal::CheckSpec spec;
  ProbeSpecFromOptions(options, &spec);
  EXPECT_EQ(spec.ByteSizeLong(), 0u);

  options.request = {"DELETE", {{"X-Token", "t"}}, "", false, checks::IpVersion::kV4};
  ProbeSpecFromOptions(options, &spec);
  EXPECT_EQ(spec.method(), "DELETE");
  ASSERT_EQ(spec.headers_size(), 1);
  EXPECT_EQ(spec.headers(0).value(), "t");
  EXPECT_TRUE(spec.no_follow_redirects());
  EXPECT_EQ(spec.ip_version(), 4);
}

}  // namespace
}  // namespace lokahi::lokahid
