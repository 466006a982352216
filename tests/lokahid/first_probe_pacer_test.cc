#include "lokahid/first_probe_pacer.h"

#include <gtest/gtest.h>

namespace lokahi::lokahid {
namespace {

TEST(FirstProbePacer, OneNewCheckIsProbedAtOnce) {
  FirstProbePacer pacer(10000);
  EXPECT_EQ(pacer.Next(1000000), 1000000);
  // Much later, another: at once too; the pace does not accumulate debt while idle.
  EXPECT_EQ(pacer.Next(2000000), 2000000);
}

TEST(FirstProbePacer, ABulkLoadIsSpreadAtTheConfiguredRate) {
  FirstProbePacer pacer(10000);
  int64_t last = 0;
  for (int i = 0; i < 1000000; ++i) last = pacer.Next(5000000);
  EXPECT_EQ(last, 5000000 + 99999) << "a million first probes over 100 s";
  EXPECT_EQ(pacer.Next(5050000), 5100000) << "later creations queue behind the load";
}

TEST(FirstProbePacer, NoMoreThanTheRateInAnySecond) {
  FirstProbePacer pacer(10000);
  int in_first_second = 0;
  for (int i = 0; i < 25000; ++i) in_first_second += pacer.Next(0) < 1000;
  EXPECT_EQ(in_first_second, 10000);
}

}  // namespace
}  // namespace lokahi::lokahid
