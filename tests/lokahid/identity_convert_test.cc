// name, labels and enabled through the API conversions: defaults on Create, what Put changes
// with and without an update_mask, and labels.KEY paths that touch one label.

#include <gtest/gtest.h>

#include "lokahid/convert.h"

namespace lokahi::lokahid {
namespace {

namespace pb = github::xe::lokahi;
using Labels = std::map<std::string, std::string>;

TEST(IdentityConvert, CreateCarriesNameLabelsAndEnabledDefaultingToTrue) {
  pb::CreateOpts opts;
  opts.set_name("Payments API");
  (*opts.mutable_labels())["team"] = "payments";
  auto options = OptionsFromCreate(opts);
  EXPECT_EQ(options.name, "Payments API");
  EXPECT_EQ(options.labels, (Labels{{"team", "payments"}}));
  EXPECT_TRUE(options.enabled);
  opts.set_enabled(false);
  EXPECT_FALSE(OptionsFromCreate(opts).enabled);
}

TEST(IdentityConvert, PutWithoutMaskKeepsWhatItDoesNotSet) {
  checks::CheckOptions options;
  options.name = "old";
  options.labels = {{"team", "payments"}, {"env", "prod"}};
  options.enabled = false;
  pb::Check patch;
  patch.set_every(120);
  ASSERT_FALSE(ApplyPut(patch, options));
  EXPECT_EQ(options.name, "old");
  EXPECT_EQ(options.labels.size(), 2u);
  EXPECT_FALSE(options.enabled) << "unset enabled keeps a paused check paused";

  (*patch.mutable_labels())["team"] = "core";
  patch.set_enabled(true);
  ASSERT_FALSE(ApplyPut(patch, options));
  EXPECT_EQ(options.labels, (Labels{{"team", "core"}})) << "a non-empty map replaces them";
  EXPECT_TRUE(options.enabled);
}

TEST(IdentityConvert, LabelPathsSetOrRemoveOneLabel) {
  checks::CheckOptions options;
  options.labels = {{"team", "payments"}, {"env", "prod"}, {"tier", "1"}};
  pb::Check patch;
  patch.mutable_update_mask()->add_paths("labels.env");
  patch.mutable_update_mask()->add_paths("labels.region");
  (*patch.mutable_labels())["region"] = "eu";
  ASSERT_FALSE(ApplyPut(patch, options));
  EXPECT_EQ(options.labels, (Labels{{"team", "payments"}, {"tier", "1"}, {"region", "eu"}}));

  pb::Check bad;
  bad.mutable_update_mask()->add_paths("labels.bad key");
  const auto problem = ApplyPut(bad, options);
  ASSERT_TRUE(problem);
  EXPECT_NE(problem->find("label key must be"), std::string::npos) << *problem;

  pb::Check clear;
  clear.mutable_update_mask()->add_paths("labels");
  ASSERT_FALSE(ApplyPut(clear, options));
  EXPECT_TRUE(options.labels.empty());
}

TEST(IdentityConvert, PauseAndResumeByMask) {
  checks::CheckOptions options;
  pb::Check pause;
  pause.set_enabled(false);
  pause.mutable_update_mask()->add_paths("enabled");
  ASSERT_FALSE(ApplyPut(pause, options));
  EXPECT_FALSE(options.enabled);
  pb::Check resume;
  resume.mutable_update_mask()->add_paths("enabled");
  ASSERT_FALSE(ApplyPut(resume, options));
  EXPECT_TRUE(options.enabled) << "named and unset: back to the default, enabled";
}

TEST(IdentityConvert, ReturnedOnEveryCheck) {
  checks::Check check;
  check.options.name = "n";
  check.options.labels = {{"a", "b"}};
  check.options.enabled = false;
  const pb::Check out = CheckToProto(check);
  EXPECT_EQ(out.name(), "n");
  EXPECT_EQ(out.labels().at("a"), "b");
  ASSERT_TRUE(out.has_enabled());
  EXPECT_FALSE(out.enabled());
}

}  // namespace
}  // namespace lokahi::lokahid
