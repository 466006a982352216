#include "healthworker/vantage_judge.h"

#include <algorithm>
#include <cctype>

namespace lokahi::healthworker {

namespace {
int64_t SecondOf(VantageJudge::TimePoint at) {
  return std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count();
}
int64_t Seconds(std::chrono::milliseconds d) {
  return std::max<int64_t>(1, std::chrono::duration_cast<std::chrono::seconds>(d).count());
}
}  // namespace

bool IsPathFailure(std::string_view error) {
  for (std::string_view prefix : {"timed out", "could not connect", "could not resolve host"}) {
    if (error.substr(0, prefix.size()) == prefix) return true;
  }
  return false;
}

std::string HostOf(std::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return "";
  std::string_view rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const size_t at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
  if (!rest.empty() && rest.front() == '[') {
    rest = rest.substr(0, rest.find(']') + 1);
  } else if (const size_t colon = rest.find(':'); colon != std::string_view::npos) {
    rest = rest.substr(0, colon);
  }
  std::string host(rest);
  std::transform(host.begin(), host.end(), host.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return host;
}

VantageJudge::VantageJudge(VantageOptions options, bool canaries_configured)
    : options_(options), canaries_configured_(canaries_configured) {}

void VantageJudge::ObserveProbe(TimePoint at, std::string_view url, bool path_failure) {
  const int64_t second = SecondOf(at);
  if (buckets_.empty() || buckets_.back().second < second) {
    buckets_.push_back(Bucket{second, {}});
  }
  // A probe finishing out of order lands in the newest bucket: a second's error
  // is harmless.
  Bucket& bucket = buckets_.back();
  const std::string host = HostOf(url);
  auto it = bucket.hosts.find(host);
  if (it == bucket.hosts.end()) it = bucket.hosts.emplace(host, HostSeen{}).first;
  if (path_failure && it->second.url.empty()) it->second.url = std::string(url);
  it->second.failed = path_failure;
  Trim(at);
}

void VantageJudge::Trim(TimePoint at) {
  const int64_t keep_from =
      SecondOf(at) - Seconds(options_.spike_window) - Seconds(options_.baseline_window);
  while (!buckets_.empty() && buckets_.front().second < keep_from) buckets_.pop_front();
}

VantageJudge::Change VantageJudge::Become(Vantage next, std::string reason) {
  Change change;
  change.changed = next != state_;
  change.now = next;
  change.reason = std::move(reason);
  state_ = next;
  answering_rounds_ = 0;
  return change;
}

VantageJudge::Change VantageJudge::ObserveCanaryRound(TimePoint at, int probed, int answered) {
  (void)at;
  Change unchanged;
  unchanged.now = state_;
  if (probed <= 0) return unchanged;
  const std::string tally =
      std::to_string(answered) + " of " + std::to_string(probed) + " answered";
  if (answered == 0) {
    answering_rounds_ = 0;
    if (state_ == Vantage::kImpaired) return unchanged;
    return Become(Vantage::kImpaired, "canaries: " + tally);
  }
  if (state_ == Vantage::kHealthy) return unchanged;
  if (++answering_rounds_ < options_.recover_rounds) return unchanged;
  recovery_targets_.clear();
  // The window that caused the spike must not impair the worker again at once.
  buckets_.clear();
  spike_ = false;
  return Become(Vantage::kHealthy, "canaries: " + tally);
}

VantageJudge::Change VantageJudge::EvaluateSpike(TimePoint at) {
  Change unchanged;
  unchanged.now = state_;
  Trim(at);
  const int64_t window_from = SecondOf(at) - Seconds(options_.spike_window) + 1;
  // Within the window, by host: whether its latest probe failed on the path.
  std::map<std::string_view, const HostSeen*> window;
  long long baseline_hosts = 0, baseline_failed = 0;
  for (const Bucket& bucket : buckets_) {  // oldest first: later buckets override
    for (const auto& [host, seen] : bucket.hosts) {
      if (bucket.second >= window_from) {
        window[host] = &seen;
      } else {
        ++baseline_hosts;
        if (seen.failed) ++baseline_failed;
      }
    }
  }
  std::vector<std::string> failing_urls;
  for (const auto& [host, seen] : window) {
    if (seen->failed) failing_urls.push_back(seen->url);
  }
  const double hosts = static_cast<double>(window.size());
  const double failing = static_cast<double>(failing_urls.size());
  const double ratio = hosts > 0 ? failing / hosts : 0;
  const double baseline =
      baseline_hosts > 0 ? static_cast<double>(baseline_failed) / baseline_hosts : 0;
  spike_ = static_cast<int>(failing_urls.size()) >= options_.spike_min_hosts &&
           ratio >= options_.spike_min_ratio && ratio >= options_.spike_baseline_factor * baseline;
  if (!spike_ || canaries_configured_ || state_ == Vantage::kImpaired) return unchanged;
  if (failing_urls.size() > options_.max_recovery_targets) {
    failing_urls.resize(options_.max_recovery_targets);
  }
  recovery_targets_ = std::move(failing_urls);
  const int percent = static_cast<int>(ratio * 100 + 0.5);
  const int baseline_percent = static_cast<int>(baseline * 100 + 0.5);
  return Become(Vantage::kImpaired, "failure spike: " + std::to_string(static_cast<int>(failing)) +
                                        " of " + std::to_string(static_cast<int>(hosts)) +
                                        " hosts failed (" + std::to_string(percent) +
                                        " %, baseline " + std::to_string(baseline_percent) + " %)");
}

}  // namespace lokahi::healthworker
