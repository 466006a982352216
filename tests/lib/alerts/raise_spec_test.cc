#include "lib/alerts/raise_spec.h"

#include <gtest/gtest.h>

namespace lokahi::alerts {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

const Timestamp kNow = Timestamp(seconds(1'800'000'000));

TEST(ParseRaise, NowAndClear) {
  std::string why;
  EXPECT_EQ(ParseRaise("now", kNow, &why), RaiseSpec(kNow));
  EXPECT_EQ(ParseRaise("clear", kNow, &why), RaiseSpec(ClearNow{}));
}

TEST(ParseRaise, RelativeTimesResolveAgainstTheClock) {
  std::string why;
  EXPECT_EQ(ParseRaise("+5m", kNow, &why), RaiseSpec(kNow + minutes(5)));
  EXPECT_EQ(ParseRaise("+30s", kNow, &why), RaiseSpec(kNow + seconds(30)));
  EXPECT_EQ(ParseRaise("+2h", kNow, &why), RaiseSpec(kNow + hours(2)));
  EXPECT_EQ(ParseRaise("+1d", kNow, &why), RaiseSpec(kNow + hours(24)));
  // A heartbeat resent a minute later pushes the raise time a minute further.
  EXPECT_EQ(ParseRaise("+5m", kNow + minutes(1), &why), RaiseSpec(kNow + minutes(6)));
}

TEST(ParseRaise, UnixTime) {
  std::string why;
  EXPECT_EQ(ParseRaise("1800000300", kNow, &why), RaiseSpec(kNow + minutes(5)));
  // A time in the past raises at once: it is kept as given.
  EXPECT_EQ(ParseRaise("1", kNow, &why), RaiseSpec(Timestamp(seconds(1))));
}

TEST(ParseRaise, RefusesOtherFormsSayingWhatIsAllowed) {
  for (const char* bad : {"", "later", "+5", "+5w", "+-5m", "-5m", "+m", "5m ", " now", "NOW",
                          "+99999999999d", "1.5", "99999999999999"}) {
    std::string why;
    EXPECT_FALSE(ParseRaise(bad, kNow, &why)) << bad;
    EXPECT_NE(why.find("now, clear, +N with a unit s, m, h or d"), std::string::npos) << bad;
  }
}

TEST(ParseWhen, RefusesNowAndClear) {
  std::string why;
  EXPECT_FALSE(ParseWhen("now", kNow, &why));
  EXPECT_FALSE(ParseWhen("clear", kNow, &why));
  EXPECT_EQ(ParseWhen("+1h", kNow, &why), kNow + hours(1));
}

TEST(ParseDuration, UnitsAndPlainSeconds) {
  std::string why;
  EXPECT_EQ(ParseDuration("2h", &why), hours(2));
  EXPECT_EQ(ParseDuration("90s", &why), seconds(90));
  EXPECT_EQ(ParseDuration("5m", &why), minutes(5));
  EXPECT_EQ(ParseDuration("300", &why), seconds(300));
  EXPECT_FALSE(ParseDuration("0", &why));
  EXPECT_FALSE(ParseDuration("2w", &why));
  EXPECT_FALSE(ParseDuration("", &why));
  EXPECT_EQ(why, "must be a number of seconds or N with a unit s, m, h or d (like 2h)");
}

}  // namespace
}  // namespace lokahi::alerts
