#include "lib/maintenance/weekly_schedule.h"

#include <gtest/gtest.h>

namespace lokahi::maintenance {
namespace {

TEST(WeeklySchedule, ParsesTheCliForm) {
  std::string error;
  const auto schedule = ParseWeekly("Sun 02:00-04:00 Europe/Paris", &error);
  ASSERT_TRUE(schedule) << error;
  EXPECT_EQ(*schedule, (WeeklySchedule{7, 120, 240, "Europe/Paris"}));
  EXPECT_EQ(schedule->ToString(), "Sun 02:00-04:00 Europe/Paris");
  const auto overnight = ParseWeekly("saturday  23:30-01:00 UTC", &error);
  ASSERT_TRUE(overnight) << error;
  EXPECT_EQ(*overnight, (WeeklySchedule{6, 1410, 60, "UTC"}));
}

TEST(WeeklySchedule, RefusesWithTheExpectedForm) {
  std::string error;
  for (const char* bad : {"Sun 02:00-04:00", "Sunday 2:00-04:00 UTC", "Sun 02:00-24:00 UTC",
                          "Dim 02:00-04:00 UTC", "Sun 02:00-02:00 UTC", "Sun 02:00 UTC",
                          "Sun 02:00-04:00 ../etc/passwd", "Sun 02:00-04:00 UTC extra"}) {
    EXPECT_FALSE(ParseWeekly(bad, &error)) << bad;
    EXPECT_NE(error.find("--weekly must look like 'Sun 02:00-04:00 Europe/Paris'"),
              std::string::npos)
        << error;
  }
  ParseWeekly("Dim 02:00-04:00 UTC", &error);
  EXPECT_NE(error.find("the weekday is Mon..Sun, got \"Dim\""), std::string::npos) << error;
}

TEST(WeeklySchedule, ValidatesFieldsFromTheApi) {
  EXPECT_FALSE(ValidateWeekly({1, 0, 60, "America/Argentina/Buenos_Aires"}));
  EXPECT_TRUE(ValidateWeekly({0, 0, 60, "UTC"}));
  EXPECT_TRUE(ValidateWeekly({8, 0, 60, "UTC"}));
  EXPECT_TRUE(ValidateWeekly({1, 0, 1440, "UTC"}));
  EXPECT_TRUE(ValidateWeekly({1, 0, 60, ""}));
  EXPECT_TRUE(ValidateWeekly({1, 0, 60, "Europe/Paris'; DROP TABLE checks"}));
}

TEST(Duration, ParsesUnitsAndSums) {
  std::string error;
  EXPECT_EQ(ParseDuration("30m", &error), std::chrono::seconds(1800));
  EXPECT_EQ(ParseDuration("1h30m", &error), std::chrono::seconds(5400));
  EXPECT_EQ(ParseDuration("90s", &error), std::chrono::seconds(90));
  EXPECT_EQ(ParseDuration("7d", &error), std::chrono::seconds(7 * 86400));
  for (const char* bad : {"", "30", "m", "-5m", "0s", "1x", "1h 30m", "9999999999s"}) {
    EXPECT_FALSE(ParseDuration(bad, &error)) << bad;
  }
  EXPECT_NE(error.find("90s, 30m, 2h, 1h30m or 7d"), std::string::npos);
}

}  // namespace
}  // namespace lokahi::maintenance
