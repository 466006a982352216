// notify_failure_kind_change through the API conversions: unset means true
// (lokahi's behaviour), false is kept, and Put changes it only when asked.

#include <gtest/gtest.h>

#include "lokahid/convert.h"

namespace lokahi::lokahid {
namespace {

namespace pb = github::xe::lokahi;

TEST(NotifyFailureKindChange, CreateDefaultsToTrueAndKeepsFalse) {
  pb::CreateOpts opts;
  EXPECT_TRUE(OptionsFromCreate(opts).notify_failure_kind_change);
  opts.set_notify_failure_kind_change(false);
  EXPECT_FALSE(OptionsFromCreate(opts).notify_failure_kind_change);
}

TEST(NotifyFailureKindChange, PutChangesItOnlyWhenSetOrNamed) {
  checks::CheckOptions options;
  pb::Check patch;
  patch.set_every(120);
  ASSERT_FALSE(ApplyPut(patch, options));
  EXPECT_TRUE(options.notify_failure_kind_change) << "a Put that does not mention it keeps it";

  patch.set_notify_failure_kind_change(false);
  ASSERT_FALSE(ApplyPut(patch, options));
  EXPECT_FALSE(options.notify_failure_kind_change);

  pb::Check other;
  other.set_every(30);
  ASSERT_FALSE(ApplyPut(other, options));
  EXPECT_FALSE(options.notify_failure_kind_change);

  pb::Check reset;
  reset.mutable_update_mask()->add_paths("notify_failure_kind_change");
  ASSERT_FALSE(ApplyPut(reset, options));
  EXPECT_TRUE(options.notify_failure_kind_change) << "named and unset resets to the default";
}

TEST(NotifyFailureKindChange, ReturnedOnEveryCheck) {
  checks::Check check;
  check.options.notify_failure_kind_change = false;
  const pb::Check out = CheckToProto(check);
  ASSERT_TRUE(out.has_notify_failure_kind_change());
  EXPECT_FALSE(out.notify_failure_kind_change());
  check.options.notify_failure_kind_change = true;
  EXPECT_TRUE(CheckToProto(check).notify_failure_kind_change());
}

}  // namespace
}  // namespace lokahi::lokahid
