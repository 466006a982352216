#include "lib/metrics/registry.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <thread>

#include "tests/lib/metrics/exposition_parser.h"

namespace lokahi::metrics {
namespace {

using testing::ParseExposition;

TEST(RegistryTest, RendersCountersWithLabelSetsAndReadsBack) {
  Registry registry;
  auto& up = registry.AddCounter("lokahi_probes_total", "Probes by outcome.", {{"outcome", "up"}});
  auto& down =
      registry.AddCounter("lokahi_probes_total", "Probes by outcome.", {{"outcome", "down"}});
  auto& plain = registry.AddCounter("lokahi_batches_total", "Batches written.");
  up.Increment();
  up.Increment(4);
  down.Increment();
  plain.Increment(12);

  const std::string text = registry.Render();
  const auto parsed = ParseExposition(text);
  EXPECT_EQ(parsed.type.at("lokahi_probes_total"), "counter");
  EXPECT_EQ(parsed.help.at("lokahi_probes_total"), "Probes by outcome.");
  EXPECT_EQ(parsed.Value("lokahi_probes_total", {{"outcome", "up"}}), 5);
  EXPECT_EQ(parsed.Value("lokahi_probes_total", {{"outcome", "down"}}), 1);
  EXPECT_EQ(parsed.Value("lokahi_batches_total"), 12);
  // One HELP/TYPE per family, before its samples.
  EXPECT_LT(text.find("# TYPE lokahi_probes_total counter"), text.find("lokahi_probes_total{"));
  EXPECT_EQ(text.find("# TYPE lokahi_probes_total"), text.rfind("# TYPE lokahi_probes_total"));
}

TEST(RegistryTest, RendersSetAndComputedGauges) {
  Registry registry;
  auto& in_flight = registry.AddGauge("lokahi_in_flight", "Probes in flight.");
  in_flight.Set(7);
  int pool_in_use = 3;
  registry.AddComputedGauge("lokahi_db_pool_in_use", "Connections lent out.",
                            [&] { return static_cast<double>(pool_in_use); }, {{"pool", "main"}});
  auto parsed = ParseExposition(registry.Render());
  EXPECT_EQ(parsed.type.at("lokahi_in_flight"), "gauge");
  EXPECT_EQ(parsed.Value("lokahi_in_flight"), 7);
  EXPECT_EQ(parsed.Value("lokahi_db_pool_in_use", {{"pool", "main"}}), 3);

  pool_in_use = 5;  // computed at scrape time, not at registration
  parsed = ParseExposition(registry.Render());
  EXPECT_EQ(parsed.Value("lokahi_db_pool_in_use", {{"pool", "main"}}), 5);
}

TEST(RegistryTest, ComputedValueThatThrowsRendersNaNAndTheRestStillRenders) {
  Registry registry;
  registry.AddComputedCounter("lokahi_broken_total", "Broken.",
                              []() -> double { throw std::runtime_error("gone"); });
  registry.AddCounter("lokahi_fine_total", "Fine.").Increment();
  const auto parsed = ParseExposition(registry.Render());
  EXPECT_EQ(parsed.type.at("lokahi_broken_total"), "counter");
  EXPECT_TRUE(std::isnan(*parsed.Value("lokahi_broken_total")));
  EXPECT_EQ(parsed.Value("lokahi_fine_total"), 1);
}

TEST(RegistryTest, RendersHistogramBucketsCumulativelyWithSumAndCount) {
  Registry registry;
  auto& latency = registry.AddHistogram("lokahi_probe_seconds", "Probe latency.", {0.01, 0.1, 1},
                                        {{"scheme", "http"}});
  for (double v : {0.005, 0.05, 0.05, 0.5, 3.0}) latency.Observe(v);

  const auto parsed = ParseExposition(registry.Render());
  EXPECT_EQ(parsed.type.at("lokahi_probe_seconds"), "histogram");
  const auto bucket = [&](const std::string& le) {
    return parsed.Value("lokahi_probe_seconds_bucket", {{"scheme", "http"}, {"le", le}});
  };
  EXPECT_EQ(bucket("0.01"), 1);
  EXPECT_EQ(bucket("0.1"), 3);
  EXPECT_EQ(bucket("1"), 4);
  EXPECT_EQ(bucket("+Inf"), 5);
  EXPECT_EQ(parsed.Value("lokahi_probe_seconds_count", {{"scheme", "http"}}), 5);
  EXPECT_DOUBLE_EQ(*parsed.Value("lokahi_probe_seconds_sum", {{"scheme", "http"}}),
                   0.005 + 0.05 + 0.05 + 0.5 + 3.0);

  // Cumulative: along the rendered order the bucket counts never decrease.
  double previous = 0;
  int buckets = 0;
  for (const auto& sample : parsed.samples) {
    if (sample.name != "lokahi_probe_seconds_bucket") continue;
    EXPECT_GE(sample.value, previous) << "le=" << sample.labels.at("le");
    previous = sample.value;
    ++buckets;
  }
  EXPECT_EQ(buckets, 4);
}

TEST(RegistryTest, EscapesLabelValuesAndHelp) {
  Registry registry;
  registry.AddCounter("lokahi_odd_total", "Line one\nback\\slash", {{"url", "http://x/\"q\"\\n"}})
      .Increment();
  const auto parsed = ParseExposition(registry.Render());
  EXPECT_EQ(parsed.help.at("lokahi_odd_total"), "Line one\nback\\slash");
  EXPECT_EQ(parsed.Value("lokahi_odd_total", {{"url", "http://x/\"q\"\\n"}}), 1);
}

TEST(RegistryTest, RejectsMalformedAndConflictingRegistrations) {
  Registry registry;
  EXPECT_THROW(registry.AddCounter("bad-name", "x"), std::invalid_argument);
  EXPECT_THROW(registry.AddCounter("ok_total", "x", {{"__reserved", "v"}}), std::invalid_argument);
  EXPECT_THROW(registry.AddCounter("ok_total", "x", {{"a", "1"}, {"a", "2"}}),
               std::invalid_argument);
  EXPECT_THROW(registry.AddHistogram("h_seconds", "x", {1}, {{"le", "1"}}), std::invalid_argument);

  registry.AddCounter("lokahi_x_total", "X.", {{"outcome", "up"}});
  // Same series twice: the caller should have kept the first reference.
  EXPECT_THROW(registry.AddCounter("lokahi_x_total", "X.", {{"outcome", "up"}}),
               std::invalid_argument);
  // Same name, another type / help / label names.
  EXPECT_THROW(registry.AddGauge("lokahi_x_total", "X.", {{"outcome", "down"}}),
               std::invalid_argument);
  EXPECT_THROW(registry.AddCounter("lokahi_x_total", "Other.", {{"outcome", "down"}}),
               std::invalid_argument);
  EXPECT_THROW(registry.AddCounter("lokahi_x_total", "X.", {{"result", "down"}}),
               std::invalid_argument);
  EXPECT_NO_THROW(registry.AddCounter("lokahi_x_total", "X.", {{"outcome", "down"}}));
  // A failed registration leaves nothing half-made behind.
  EXPECT_NO_THROW(ParseExposition(registry.Render()));
}

TEST(RegistryTest, EmptyRegistryRendersNothing) {
  Registry registry;
  EXPECT_EQ(registry.Render(), "");
}

TEST(RegistryConcurrencyTest, ConcurrentUpdatesAreAllCountedWhileScraping) {
  Registry registry;
  auto& counter = registry.AddCounter("lokahi_events_total", "Events.");
  auto& gauge = registry.AddGauge("lokahi_level", "Level.");
  auto& histogram = registry.AddHistogram("lokahi_size", "Sizes.", {10, 100});
  constexpr int kThreads = 8;
  constexpr int kPerThread = 50'000;

  std::atomic<bool> done{false};
  std::thread scraper([&] {
    while (!done) {
      // Every intermediate render must be well-formed and internally consistent.
      const auto parsed = ParseExposition(registry.Render());
      ASSERT_EQ(parsed.Value("lokahi_size_count"),
                parsed.Value("lokahi_size_bucket", {{"le", "+Inf"}}));
    }
  });
  std::vector<std::thread> workers;
  for (int t = 0; t < kThreads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        counter.Increment();
        gauge.Increment();
        histogram.Observe((i + t) % 200);
      }
    });
  }
  for (auto& worker : workers) worker.join();
  done = true;
  scraper.join();

  const auto parsed = ParseExposition(registry.Render());
  EXPECT_EQ(parsed.Value("lokahi_events_total"), kThreads * kPerThread);
  EXPECT_EQ(parsed.Value("lokahi_level"), kThreads * kPerThread);
  EXPECT_EQ(parsed.Value("lokahi_size_count"), kThreads * kPerThread);
  // Values 0..199 uniformly: 11 of every 200 are <= 10, 101 are <= 100.
  EXPECT_EQ(parsed.Value("lokahi_size_bucket", {{"le", "10"}}), kThreads * kPerThread / 200 * 11);
  EXPECT_EQ(parsed.Value("lokahi_size_bucket", {{"le", "100"}}), kThreads * kPerThread / 200 * 101);
}

TEST(RegistryConcurrencyTest, RegistrationRacesWithScrapes) {
  Registry registry;
  std::atomic<bool> done{false};
  std::thread scraper([&] {
    while (!done) ASSERT_NO_THROW(ParseExposition(registry.Render()));
  });
  std::vector<std::thread> registrars;
  for (int t = 0; t < 4; ++t) {
    registrars.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        registry
            .AddCounter("lokahi_race_total", "Race.",
                        {{"worker", std::to_string(t)}, {"n", std::to_string(i)}})
            .Increment();
      }
    });
  }
  for (auto& registrar : registrars) registrar.join();
  done = true;
  scraper.join();
  const auto parsed = ParseExposition(registry.Render());
  EXPECT_EQ(parsed.samples.size(), 800u);
}

}  // namespace
}  // namespace lokahi::metrics
