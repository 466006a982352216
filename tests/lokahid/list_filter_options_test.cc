// ListOpts' filters as ChecksApi reads them: what reaches the store, and the messages for
// mistakes.

#include <gtest/gtest.h>

#include "lokahid/service/checks_api.h"

namespace lokahi::lokahid {
namespace {

namespace pb = github::xe::lokahi;

TEST(ListFilterOptions, NoFilterIsAnEmptyFilter) {
  std::string problem;
  const auto filter = ListFilterFromProto(pb::ListOpts(), &problem);
  ASSERT_TRUE(filter) << problem;
  EXPECT_TRUE(filter->empty());
}

TEST(ListFilterOptions, StateSelectorAndSearchReachTheStore) {
  pb::ListOpts request;
  request.set_state(pb::Check::INIT);  // INIT is a state to filter on, not "unset"
  request.set_selector("team=payments,env!=dev");
  request.set_search("api");
  std::string problem;
  const auto filter = ListFilterFromProto(request, &problem);
  ASSERT_TRUE(filter) << problem;
  EXPECT_EQ(filter->state, checks::State::kInit);
  EXPECT_EQ(filter->labels_contained, R"({"team":"payments"})");
  EXPECT_NE(filter->selector_json.find(R"("op":"!=")"), std::string::npos);
  EXPECT_EQ(filter->search, "api");
}

TEST(ListFilterOptions, MistakesAreNamed) {
  std::string problem;
  pb::ListOpts state;
  state.set_state(static_cast<pb::Check::State>(9));
  EXPECT_FALSE(ListFilterFromProto(state, &problem));
  EXPECT_EQ(problem, "state must be INIT, UP, DOWN or ERROR, got 9");
  pb::ListOpts selector;
  selector.set_selector("team==");
  EXPECT_TRUE(ListFilterFromProto(selector, &problem)) << problem;
  selector.set_selector("te am=x");
  EXPECT_FALSE(ListFilterFromProto(selector, &problem));
  EXPECT_NE(problem.find("a key is"), std::string::npos);
  pb::ListOpts search;
  search.set_search("ab");
  EXPECT_FALSE(ListFilterFromProto(search, &problem));
  EXPECT_EQ(problem, "search must be 3 to 200 bytes, got 2");
  search.set_search("a\nbc");
  EXPECT_FALSE(ListFilterFromProto(search, &problem));
  EXPECT_NE(problem.find("control characters"), std::string::npos);
}

}  // namespace
}  // namespace lokahi::lokahid
