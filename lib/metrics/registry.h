#pragma once
// A set of metrics a daemon exposes, rendered in the Prometheus text format.
//
// Registration (normally once, at start) returns a reference the caller keeps and updates on its
// hot path without touching the registry again. The registry owns every metric; references stay
// valid until the registry is destroyed. Metrics are never removed.
//
// A family is one metric name; its series differ by label values, each registered separately:
//   auto& up   = registry.AddCounter("lokahi_probes_total", "Probes by outcome.", {{"outcome",
//   "up"}}); auto& down = registry.AddCounter("lokahi_probes_total", "Probes by outcome.",
//   {{"outcome", "down"}});
// Labels that never vary (e.g. {"pool", "results"}) are passed the same way.
//
// Thread-safe: registration and Render may run concurrently with each other and with updates.

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lib/metrics/series.h"

namespace lokahi::metrics {

// Label names and values in the order they are rendered.
using Labels = std::vector<std::pair<std::string, std::string>>;

// Read at scrape time; must be thread-safe, quick, and must not call back into the registry.
// Whatever it reads must outlive every Render (in practice: the registry and its OpsServer).
using ValueReader = std::function<double()>;

class Registry final {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Each Add* throws std::invalid_argument when the name or a label name is malformed, when the
  // name is already registered with another type, help text or set of label names, or when the
  // same name and label values are registered twice.
  Counter& AddCounter(std::string_view name, std::string_view help, const Labels& labels = {});
  Gauge& AddGauge(std::string_view name, std::string_view help, const Labels& labels = {});
  Histogram& AddHistogram(std::string_view name, std::string_view help,
                          std::vector<double> upper_bounds, const Labels& labels = {});

  // Values another component already keeps (e.g. a connection pool's in-use count), read only
  // when scraped so the component needs no metrics code on its own paths.
  void AddComputedGauge(std::string_view name, std::string_view help, ValueReader read,
                        const Labels& labels = {});
  void AddComputedCounter(std::string_view name, std::string_view help, ValueReader read,
                          const Labels& labels = {});

  // Every family in registration order: `# HELP`, `# TYPE`, then its samples. A computed value
  // whose reader throws is rendered as NaN rather than failing the whole scrape.
  std::string Render() const;

 private:
  enum class Type { kCounter, kGauge, kHistogram };
  struct Series;
  struct Family;
  static std::string TypeName(Type type);
  // Takes ownership of `value` (a Counter, Gauge, Histogram or ValueReader, see registry.cc).
  template <typename Value>
  void AddSeries(std::string_view name, std::string_view help, Type type, const Labels& labels,
                 Value value);

  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Family>> families_;  // guarded by mutex_
};

}  // namespace lokahi::metrics
