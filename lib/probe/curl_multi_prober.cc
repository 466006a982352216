#include "lib/probe/curl_multi_prober.h"

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_set>

#include "lib/probe/address_policy.h"
#include "lib/probe/multi_driver.h"
#include "lib/probe/tls_session_share.h"
#include "lib/probe/transfer.h"
#include "lib/probe/waiting_queue.h"

namespace lokahi::probe {
namespace {

constexpr char kStopped[] = "prober stopped";

ProbeResult StoppedResult(const ProbeRequest& request) {
  ProbeResult result{};
  result.tag = request.tag;
  result.error = kStopped;
  result.stopped = true;
  result.started_at = std::chrono::system_clock::now();
  return result;
}

std::optional<TlsSessionShare> ResumptionFor(const ProberOptions& options) {
  if (!options.tls_resume) return std::nullopt;
  return std::make_optional<TlsSessionShare>(options.tls_full_handshake_every,
                                             [] { return std::chrono::system_clock::now(); });
}

ProberOptions Validated(ProberOptions options) {
  if (options.max_in_flight == 0) throw std::invalid_argument("max_in_flight must be at least 1");
  if (options.max_redirects < 0) throw std::invalid_argument("max_redirects must not be negative");
  if (options.tls_resume && options.tls_full_handshake_every.count() < 1) {
    throw std::invalid_argument("tls_full_handshake_every must be positive");
  }
  return options;
}

}  // namespace

// Everything the prober thread owns. Requests pass from Submit to the thread through `incoming_`
// (the only state shared under the mutex); the thread moves them to `waiting_`, admits them into
// free slots, and hands results to the completion handler in batches, one per loop turn.
class CurlMultiProber::Loop {
 public:
  Loop(ProberOptions options, CompletionHandler on_complete)
      : options_(Validated(std::move(options))),
        policy_(AddressPolicy::FromCidrs(options_.egress_deny_cidrs)),
        on_complete_(std::move(on_complete)),
        thread_([this] { Run(); }) {}

  ~Loop() { Stop(std::chrono::milliseconds(0)); }

  void Submit(std::vector<ProbeRequest> requests) {
    if (requests.empty()) return;
    bool accepted = false;
    bool wake = false;
    {
      std::lock_guard lock(mutex_);
      if (!exited_) {
        accepted = true;
        queued_ += requests.size();
        for (ProbeRequest& request : requests) incoming_.push_back(std::move(request));
        wake = !wake_pending_;
        wake_pending_ = true;
      }
    }
    if (accepted) {
      if (wake) driver_.Wake();
      return;
    }
    std::vector<ProbeResult> results;
    results.reserve(requests.size());
    for (const ProbeRequest& request : requests) results.push_back(StoppedResult(request));
    on_complete_(std::move(results));
  }

  size_t Queued() const { return queued_.load(std::memory_order_relaxed); }
  size_t InFlight() const { return in_flight_.load(std::memory_order_relaxed); }

  void Stop(std::chrono::milliseconds grace) {
    std::lock_guard stop_lock(stop_mutex_);
    if (!thread_.joinable()) return;
    if (std::this_thread::get_id() == thread_.get_id()) {
      throw std::logic_error("CurlMultiProber::Stop called from its own completion handler");
    }
    {
      std::lock_guard lock(mutex_);
      stop_deadline_ = MultiDriver::Clock::now() + grace;
    }
    driver_.Wake();
    thread_.join();
  }

 private:
  void Run() {
    std::optional<MultiDriver::Clock::time_point> stop_at;
    while (true) {
      if (driver_.RunOnce(stop_at)) TakeIncoming(stop_at);
      CollectFinished();
      if (stop_at) {
        FailWaiting();
        if (active_.empty() || MultiDriver::Clock::now() >= *stop_at) {
          AbandonActive();
          Exit();
          return;
        }
      } else {
        Admit();
      }
      Deliver();
    }
  }

  void TakeIncoming(std::optional<MultiDriver::Clock::time_point>& stop_at) {
    std::vector<ProbeRequest> arrived;
    {
      std::lock_guard lock(mutex_);
      arrived.swap(incoming_);
      wake_pending_ = false;
      stop_at = stop_deadline_;
    }
    const auto now = std::chrono::steady_clock::now();
    for (ProbeRequest& request : arrived) waiting_.Push(std::move(request), now);
  }

  void Admit() {
    const auto steady_now = std::chrono::steady_clock::now();
    const auto now = std::chrono::system_clock::now();
    std::vector<ProbeRequest> expired;
    // Also while every slot is busy: the queue never holds more than a start-by's worth.
    waiting_.DropExpired(now, expired);
    while (active_.size() < options_.max_in_flight) {
      std::optional<ProbeRequest> request = waiting_.Pop(steady_now, now, expired);
      if (!request) break;
      queued_.fetch_sub(1, std::memory_order_relaxed);
      Transfer* transfer = AcquireTransfer();
      const std::string url = tls_sessions_ ? request->url : std::string();
      if (!transfer->Start(std::move(*request))) {
        Release(transfer, transfer->Abandon("could not configure probe"));
        continue;
      }
      if (tls_sessions_ && !tls_sessions_->Prepare(transfer->easy(), url)) {
        Release(transfer, transfer->Abandon("could not configure TLS session resumption"));
        continue;
      }
      if (const CURLMcode code = driver_.Add(transfer->easy()); code != CURLM_OK) {
        Release(transfer, transfer->Abandon(std::string("could not start probe: ") +
                                            curl_multi_strerror(code)));
        continue;
      }
      active_.insert(transfer);
      in_flight_.store(active_.size(), std::memory_order_relaxed);
    }
    queued_.fetch_sub(expired.size(), std::memory_order_relaxed);
    for (const ProbeRequest& late : expired) {
      ProbeResult result;
      result.tag = late.tag;
      result.error = "not started: still queued at its start-by time";
      result.not_started = true;
      finished_.push_back(std::move(result));
    }
  }

  Transfer* AcquireTransfer() {
    if (!idle_.empty()) {
      Transfer* transfer = idle_.back();
      idle_.pop_back();
      return transfer;
    }
    transfers_.push_back(std::make_unique<Transfer>(options_, policy_));
    return transfers_.back().get();
  }

  void Release(Transfer* transfer, ProbeResult result) {
    if (tls_sessions_) tls_sessions_->Finish(transfer->easy(), result);
    finished_.push_back(std::move(result));
    idle_.push_back(transfer);
  }

  void CollectFinished() {
    while (const std::optional<MultiDriver::Finished> done = driver_.NextFinished()) {
      void* self = nullptr;
      curl_easy_getinfo(done->easy, CURLINFO_PRIVATE, &self);
      auto* transfer = static_cast<Transfer*>(self);
      ProbeResult result = transfer->Complete(done->code);
      driver_.Remove(done->easy);
      active_.erase(transfer);
      Release(transfer, std::move(result));
    }
    in_flight_.store(active_.size(), std::memory_order_relaxed);
  }

  void FailWaiting() {
    const std::vector<ProbeRequest> waiting = waiting_.TakeAll();
    for (const ProbeRequest& request : waiting) finished_.push_back(StoppedResult(request));
    queued_.fetch_sub(waiting.size(), std::memory_order_relaxed);
  }

  void AbandonActive() {
    for (Transfer* transfer : active_) {
      driver_.Remove(transfer->easy());
      ProbeResult result = transfer->Abandon(kStopped);
      result.stopped = true;
      Release(transfer, std::move(result));
    }
    active_.clear();
    in_flight_.store(0, std::memory_order_relaxed);
  }

  // From here on Submit completes requests itself; whatever arrived before is failed here.
  void Exit() {
    std::vector<ProbeRequest> arrived;
    {
      std::lock_guard lock(mutex_);
      exited_ = true;
      arrived.swap(incoming_);
    }
    const auto now = std::chrono::steady_clock::now();
    for (ProbeRequest& request : arrived) waiting_.Push(std::move(request), now);
    FailWaiting();
    Deliver();
  }

  void Deliver() {
    if (finished_.empty()) return;
    std::vector<ProbeResult> batch;
    batch.swap(finished_);
    on_complete_(std::move(batch));
  }

  const ProberOptions options_;
  const AddressPolicy policy_;
  const CompletionHandler on_complete_;
  CurlGlobal curl_global_;
  MultiDriver driver_;
  // With tls_resume; destroyed after the handles that may use its shares.
  std::optional<TlsSessionShare> tls_sessions_ = ResumptionFor(options_);
  // Every handle ever created (at most max_in_flight); destroyed before driver_'s multi handle.
  std::vector<std::unique_ptr<Transfer>> transfers_;
  std::vector<Transfer*> idle_;
  std::unordered_set<Transfer*> active_;
  WaitingQueue waiting_{options_.newest_first_after};
  std::vector<ProbeResult> finished_;

  std::atomic<size_t> queued_{0};
  std::atomic<size_t> in_flight_{0};

  std::mutex stop_mutex_;  // serialises Stop callers
  mutable std::mutex mutex_;
  std::vector<ProbeRequest> incoming_;  // guarded by mutex_
  bool wake_pending_ = false;           // guarded by mutex_: a Wake() is on its way
  std::optional<MultiDriver::Clock::time_point> stop_deadline_;  // guarded by mutex_
  bool exited_ = false;                                          // guarded by mutex_

  std::thread thread_;  // last: starts once every other member exists
};

CurlMultiProber::CurlMultiProber(ProberOptions options, CompletionHandler on_complete)
    : loop_(std::make_unique<Loop>(std::move(options), std::move(on_complete))) {}

CurlMultiProber::~CurlMultiProber() = default;

void CurlMultiProber::Submit(std::vector<ProbeRequest> requests) {
  loop_->Submit(std::move(requests));
}
size_t CurlMultiProber::Queued() const { return loop_->Queued(); }
size_t CurlMultiProber::InFlight() const { return loop_->InFlight(); }
void CurlMultiProber::Stop(std::chrono::milliseconds grace) { loop_->Stop(grace); }

}  // namespace lokahi::probe
