#include <gtest/gtest.h>

#include "lib/checks/check.h"

namespace lokahi::checks {
namespace {

TEST(CheckId, AcceptsUuidAndCanonicalisesCase) {
  const auto id = CheckId::Parse("A5C7179A-0D3A-11E8-B53D-8FAA88CFA70C");
  ASSERT_TRUE(id);
  EXPECT_EQ(id->str(), "a5c7179a-0d3a-11e8-b53d-8faa88cfa70c");
}

TEST(CheckId, RejectsMalformed) {
  EXPECT_FALSE(CheckId::Parse(""));
  EXPECT_FALSE(CheckId::Parse("not-a-uuid"));
  EXPECT_FALSE(CheckId::Parse("a5c7179a-0d3a-11e8-b53d-8faa88cfa70"));
  EXPECT_FALSE(CheckId::Parse("a5c7179a00d3a-11e8-b53d-8faa88cfa70c"));
  EXPECT_FALSE(CheckId::Parse("g5c7179a-0d3a-11e8-b53d-8faa88cfa70c"));
  EXPECT_FALSE(CheckId::Parse("a5c7179a-0d3a-11e8-b53d-8faa88cfa70c'; DROP TABLE checks;--"));
}

}  // namespace
}  // namespace lokahi::checks
