#include "lib/webhook/histogram_cache.h"

#include <gtest/gtest.h>

namespace lokahi::webhook {
namespace {

using namespace std::chrono_literals;
using Clock = HistogramCache::Clock;

store::LatencyHistogram WithMax(double max_ns) {
  store::LatencyHistogram h;
  h.samples = 1;
  h.max_ns = max_ns;
  return h;
}

TEST(HistogramCacheTest, FreshEntriesAreReusedAndStaleOnesRecomputed) {
  HistogramCache cache(60s, 100);
  const Clock::time_point t0{};
  EXPECT_EQ(cache.Missing({"a", "b", "a"}, t0), (std::vector<std::string>{"a", "b"}));
  cache.Put({{"a", WithMax(1)}, {"b", WithMax(2)}}, t0);
  EXPECT_TRUE(cache.Missing({"a", "b"}, t0 + 60s).empty());
  ASSERT_TRUE(cache.Get("b", t0 + 30s));
  EXPECT_EQ(cache.Get("b", t0 + 30s)->max_ns, 2);
  EXPECT_EQ(cache.Missing({"a", "b", "c"}, t0 + 61s), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_FALSE(cache.Get("a", t0 + 61s));
  cache.Put({{"a", WithMax(3)}}, t0 + 61s);
  EXPECT_EQ(cache.Get("a", t0 + 62s)->max_ns, 3);
}

TEST(HistogramCacheTest, StaysWithinCapacity) {
  HistogramCache cache(60s, 3);
  const Clock::time_point t0{};
  cache.Put({{"a", WithMax(1)}, {"b", WithMax(1)}}, t0);
  // The old entries have expired by the time the cache overflows: they go first.
  cache.Put({{"c", WithMax(1)}, {"d", WithMax(1)}}, t0 + 120s);
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_TRUE(cache.Get("c", t0 + 120s));
  cache.Put({{"e", WithMax(1)}, {"f", WithMax(1)}}, t0 + 121s);
  EXPECT_EQ(cache.size(), 3u);
}

}  // namespace
}  // namespace lokahi::webhook
