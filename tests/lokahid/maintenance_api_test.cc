// MaintenanceApi's validation: what a Create request must hold, said in a way a caller can act on.

#include "lokahid/service/maintenance_api.h"

#include <gtest/gtest.h>

namespace lokahi::lokahid {
namespace {

namespace pb = github::xe::lokahi;

constexpr const char* kId = "8f14e45f-ceea-467f-a0e6-6ad2c3e1a9f1";

std::string ProblemOf(const pb::MaintenanceWindow& request) {
  std::string problem;
  EXPECT_FALSE(NewWindowFromProto(request, &problem));
  return problem;
}

pb::MaintenanceWindow BySelector(const std::string& selector) {
  pb::MaintenanceWindow w;
  w.set_selector(selector);
  w.set_duration_seconds(1800);
  return w;
}

TEST(MaintenanceApiValidation, ASelectorIsStoredCanonicalWithItsSqlForm) {
  std::string problem;
  const auto window = NewWindowFromProto(BySelector(" team=payments , env!=dev"), &problem);
  ASSERT_TRUE(window) << problem;
  EXPECT_EQ(window->selector, "team=payments,env!=dev");
  EXPECT_NE(window->selector_json.find("\"op\":\"!=\""), std::string::npos);
  EXPECT_EQ(window->duration, std::chrono::seconds(1800));
}

TEST(MaintenanceApiValidation, RefusesEachMistake) {
  EXPECT_NE(ProblemOf(BySelector("")).find("needs a selector"), std::string::npos);
  EXPECT_NE(ProblemOf(BySelector("team=pay ments")).find("selector \"team=pay ments\""),
            std::string::npos);
  auto bad_id = BySelector("");
  bad_id.add_check_ids("nope");
  EXPECT_NE(ProblemOf(bad_id).find("check_ids must be UUIDs"), std::string::npos);
  auto two_kinds = BySelector("a=b");
  two_kinds.mutable_weekly()->set_weekday("Sun");
  EXPECT_NE(ProblemOf(two_kinds).find("exactly one of"), std::string::npos);
  auto none = BySelector("a=b");
  none.set_duration_seconds(0);
  EXPECT_NE(ProblemOf(none).find("exactly one of"), std::string::npos);
  auto negative = BySelector("a=b");
  negative.set_duration_seconds(-5);
  EXPECT_NE(ProblemOf(negative).find("duration_seconds must be between 1 and"), std::string::npos);
  pb::MaintenanceWindow backwards;
  backwards.add_check_ids(kId);
  backwards.mutable_start()->set_seconds(2000);
  backwards.mutable_end()->set_seconds(1000);
  EXPECT_NE(ProblemOf(backwards).find("end must be after start"), std::string::npos);
  pb::MaintenanceWindow weekly;
  weekly.add_check_ids(kId);
  *weekly.mutable_weekly() = pb::WeeklySchedule();
  weekly.mutable_weekly()->set_weekday("Sun");
  weekly.mutable_weekly()->set_from("02:00");
  weekly.mutable_weekly()->set_to("25:00");
  weekly.mutable_weekly()->set_time_zone("UTC");
  EXPECT_NE(ProblemOf(weekly).find("weekly.from and weekly.to are HH:MM"), std::string::npos);
  auto chosen_id = BySelector("a=b");
  chosen_id.set_id(kId);
  EXPECT_NE(ProblemOf(chosen_id).find("id is chosen by the server"), std::string::npos);
  auto long_reason = BySelector("a=b");
  long_reason.set_reason(std::string(501, 'x'));
  EXPECT_NE(ProblemOf(long_reason).find("reason must be at most 500 bytes"), std::string::npos);
}

}  // namespace
}  // namespace lokahi::lokahid
