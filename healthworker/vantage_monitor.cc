#include "healthworker/vantage_monitor.h"

#include <algorithm>

namespace lokahi::healthworker {

namespace {
using SteadyClock = std::chrono::steady_clock;

bool Answered(const probe::ProbeResult& result) {
  return result.status_code > 0 || !IsPathFailure(result.error);
}

probe::ProberOptions CanaryProberOptions(probe::ProberOptions options) {
  options.max_in_flight = 64;
  options.user_agent = "lokahi-cpp healthworker canary";
  return options;
}
}  // namespace

VantageMonitor::VantageMonitor(VantageMonitorOptions options, Release release, OnChange on_change,
                               logging::Logger& log)
    : options_(std::move(options)),
      release_(std::move(release)),
      on_change_(std::move(on_change)),
      log_(log),
      judge_(options_.judge, !options_.canary_urls.empty()) {
  prober_ = std::make_unique<probe::CurlMultiProber>(
      CanaryProberOptions(options_.prober), [this](std::vector<probe::ProbeResult>&& results) {
        std::lock_guard lock(mutex_);
        for (auto& r : results) round_results_.push_back(std::move(r));
        wake_.notify_all();
      });
  thread_ = std::thread([this] { Loop(); });
}

VantageMonitor::~VantageMonitor() { Stop(); }

std::string VantageMonitor::Reason() const {
  std::lock_guard lock(mutex_);
  return reason_;
}

std::vector<store::ProbeRecord> VantageMonitor::Screen(std::vector<store::ProbeRecord>&& records,
                                                       const std::vector<std::string>& urls) {
  std::vector<store::ProbeRecord> now;
  now.reserve(records.size());
  const auto finished = SteadyClock::now();
  std::lock_guard lock(mutex_);
  for (size_t i = 0; i < records.size(); ++i) {
    store::ProbeRecord& record = records[i];
    const bool path_failure = record.status_code == 0 && IsPathFailure(record.error);
    if (i < urls.size()) judge_.ObserveProbe(finished, urls[i], path_failure);
    if (path_failure && !stopping_) {
      held_.push_back({std::move(record), finished});
    } else {
      now.push_back(std::move(record));
    }
  }
  stats_.held.store(static_cast<long long>(held_.size()));
  return now;
}

void VantageMonitor::ReleaseHeld(SteadyClock::time_point before) {
  std::vector<store::ProbeRecord> out;
  {
    std::lock_guard lock(mutex_);
    const bool impaired = judge_.state() == Vantage::kImpaired;
    auto keep = held_.begin();
    for (auto it = held_.begin(); it != held_.end(); ++it) {
      if (it->finished < before) {
        if (impaired) it->record.verdict = checks::Verdict::kInconclusive;
        out.push_back(std::move(it->record));
      } else {
        if (keep != it) *keep = std::move(*it);  // never onto itself: that empties the record
        ++keep;
      }
    }
    held_.erase(keep, held_.end());
    stats_.held.store(static_cast<long long>(held_.size()));
    if (impaired) stats_.inconclusive.fetch_add(static_cast<long long>(out.size()));
  }
  if (!out.empty()) release_(std::move(out));
}

int VantageMonitor::RunRound(const std::vector<std::string>& urls) {
  std::vector<probe::ProbeRequest> requests;
  for (size_t i = 0; i < urls.size(); ++i) {
    requests.push_back({i, urls[i], options_.canary_timeout_ms});
  }
  {
    std::lock_guard lock(mutex_);
    round_results_.clear();
    round_expected_ = requests.size();
  }
  prober_->Submit(std::move(requests));
  std::unique_lock lock(mutex_);
  // The prober bounds each probe by its timeout; the margin covers a busy
  // machine.
  wake_.wait_for(lock,
                 std::chrono::milliseconds(options_.canary_timeout_ms) + std::chrono::seconds(2),
                 [&] { return stopping_ || round_results_.size() >= round_expected_; });
  int answered = 0;
  for (const auto& r : round_results_) answered += Answered(r) ? 1 : 0;
  return answered;
}

void VantageMonitor::Loop() {
  while (true) {
    const auto round_start = SteadyClock::now();
    std::vector<std::string> urls;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      urls = options_.canary_urls;
      if (urls.empty() && judge_.state() == Vantage::kImpaired) urls = judge_.RecoveryTargets();
    }
    VantageJudge::Change change;
    {
      std::lock_guard lock(mutex_);
      change = judge_.EvaluateSpike(SteadyClock::now());
      stats_.spike.store(judge_.spike());
    }
    if (!change.changed && !urls.empty()) {
      const int answered = RunRound(urls);
      stats_.canary_rounds.fetch_add(1);
      if (answered == 0) stats_.canary_failed_rounds.fetch_add(1);
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      change =
          judge_.ObserveCanaryRound(SteadyClock::now(), static_cast<int>(urls.size()), answered);
    }
    if (change.changed) {
      {
        std::lock_guard lock(mutex_);
        reason_ = change.reason;
      }
      impaired_.store(change.now == Vantage::kImpaired);
      (change.now == Vantage::kImpaired ? stats_.impaired_total : stats_.recovered_total)
          .fetch_add(1);
      on_change_(change.now, change.reason);
    }
    ReleaseHeld(round_start);
    std::unique_lock lock(mutex_);
    wake_.wait_until(lock, round_start + options_.interval, [&] { return stopping_; });
  }
}

void VantageMonitor::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    wake_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  prober_->Stop(std::chrono::milliseconds(0));
  ReleaseHeld(SteadyClock::time_point::max());
}

}  // namespace lokahi::healthworker
