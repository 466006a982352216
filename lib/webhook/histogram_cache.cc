#include "lib/webhook/histogram_cache.h"

#include <set>

namespace lokahi::webhook {

std::optional<store::LatencyHistogram> HistogramCache::Get(const std::string& check_id,
                                                           Clock::time_point now) {
  const auto found = entries_.find(check_id);
  if (found == entries_.end() || now - found->second.computed_at > max_age_) return std::nullopt;
  return found->second.histogram;
}

std::vector<std::string> HistogramCache::Missing(const std::vector<std::string>& check_ids,
                                                 Clock::time_point now) {
  std::set<std::string> seen;
  std::vector<std::string> missing;
  for (const auto& id : check_ids) {
    if (!seen.insert(id).second) continue;
    if (!Get(id, now)) missing.push_back(id);
  }
  return missing;
}

void HistogramCache::Put(const std::map<std::string, store::LatencyHistogram>& histograms,
                         Clock::time_point now) {
  for (const auto& [id, histogram] : histograms) entries_[id] = Entry{histogram, now};
  if (entries_.size() > capacity_) EvictExpired(now);
  // Still over: drop arbitrary entries (by id order); they are recomputed when needed.
  while (entries_.size() > capacity_) entries_.erase(entries_.begin());
}

void HistogramCache::EvictExpired(Clock::time_point now) {
  std::erase_if(entries_,
                [&](const auto& entry) { return now - entry.second.computed_at > max_age_; });
}

}  // namespace lokahi::webhook
