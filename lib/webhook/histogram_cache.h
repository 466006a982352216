#pragma once
// Recently computed 24-hour latency histograms, by check. A day's histogram barely moves in a
// minute, and computing one reads every result of the day (milliseconds of Postgres time per
// check), so retries and bursts of transitions of one check reuse it instead of recomputing.
// Pure: the caller passes the time. Not thread-safe; owned by the delivery loop.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lib/store/pg_status_query.h"

namespace lokahi::webhook {

class HistogramCache {
 public:
  using Clock = std::chrono::steady_clock;
  // Entries older than `max_age` are not returned; at most `capacity` entries are kept.
  HistogramCache(std::chrono::milliseconds max_age, size_t capacity)
      : max_age_(max_age), capacity_(capacity) {}

  std::optional<store::LatencyHistogram> Get(const std::string& check_id, Clock::time_point now);
  // Of `check_ids`, those without a fresh entry (each once).
  std::vector<std::string> Missing(const std::vector<std::string>& check_ids,
                                   Clock::time_point now);
  void Put(const std::map<std::string, store::LatencyHistogram>& histograms, Clock::time_point now);
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    store::LatencyHistogram histogram;
    Clock::time_point computed_at;
  };
  void EvictExpired(Clock::time_point now);

  const std::chrono::milliseconds max_age_;
  const size_t capacity_;
  std::map<std::string, Entry> entries_;
};

}  // namespace lokahi::webhook
