#include "lib/webhook/notification_loop.h"

#include <algorithm>

#include "lib/webhook/retry_after.h"
#include "lib/webhook/url_redaction.h"
#include "lib/webhook/webhook_request.h"

namespace lokahi::webhook {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

constexpr auto kSummaryInterval = std::chrono::seconds(10);
constexpr int kHttpGone = 410;

bool IsSuccess(int status_code) { return status_code >= 200 && status_code < 300; }

}  // namespace

NotificationLoop::NotificationLoop(store::PgNotificationQueue& queue, CurlMultiPoster& poster,
                                   RandomSource& random, logging::Logger& log,
                                   NotificationObserver& observer, NotificationLoopOptions options,
                                   std::function<std::chrono::system_clock::time_point()> wall)
    : queue_(queue),
      poster_(poster),
      random_(random),
      log_(log),
      observer_(observer),
      options_(std::move(options)),
      wall_(std::move(wall)) {}

void NotificationLoop::Nudge() {
  nudged_.store(true);
  poster_.Wake();
}

void NotificationLoop::RequestStop() {
  stop_requested_.store(true);
  poster_.Wake();
}

void NotificationLoop::Run() {
  auto next_sweep = std::chrono::steady_clock::now();
  next_summary_ = next_sweep + kSummaryInterval;
  bool more = false;  // the last claim was full, or a key's notification just finished
  while (!stop_requested_.load()) {
    const auto now = std::chrono::steady_clock::now();
    const bool nudged = nudged_.exchange(false);
    if ((nudged || more || now >= next_sweep) && capacity() > 0) {
      more = ClaimAndStart(capacity());
      next_sweep = now + options_.sweep_interval;
    } else if (nudged) {
      more = true;
    }
    auto wait = duration_cast<milliseconds>(next_sweep - std::chrono::steady_clock::now());
    if (more && capacity() > 0) wait = milliseconds(0);
    poster_.Poll(std::clamp(wait, milliseconds(0), options_.sweep_interval));
    if (Flush()) more = true;
    LogSummaryIfDue(false);
  }
  log_.Info("notifications_draining", {{"in_flight", in_flight_.size()}});
  const auto give_up_at = std::chrono::steady_clock::now() + options_.drain_timeout;
  while (!in_flight_.empty() && std::chrono::steady_clock::now() < give_up_at) {
    const auto left = duration_cast<milliseconds>(give_up_at - std::chrono::steady_clock::now());
    poster_.Poll(std::clamp(left, milliseconds(0), milliseconds(100)));
  }
  poster_.AbortAll();
  std::vector<store::ClaimedNotification> unsent;
  for (auto& [id, flight] : in_flight_) unsent.push_back(std::move(flight.claim));
  in_flight_.clear();
  Flush();
  try {
    queue_.Release(unsent);
  } catch (const std::exception& e) {
    log_.Error("notifications_release_failed", {{"error", e.what()}, {"claims", unsent.size()}});
  }
  LogSummaryIfDue(true);
}

bool NotificationLoop::ClaimAndStart(int limit) {
  std::vector<store::ClaimedNotification> claims;
  try {
    claims = queue_.ClaimDue(limit, options_.request_timeout + options_.lease_margin);
  } catch (const std::exception& e) {
    log_.Error("notifications_claim_failed",
               {{"error", e.what()}, {"retry_in_ms", options_.sweep_interval.count()}});
    return false;
  }
  const auto unix_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(wall_().time_since_epoch()).count();
  const SigningKey* key = options_.key ? &*options_.key : nullptr;
  const bool full = static_cast<int>(claims.size()) >= limit;
  for (auto& claim : claims) {
    InFlight flight{std::move(claim), std::chrono::steady_clock::now()};
    if (flight.claim.until_deadline <= milliseconds(0)) {
      Fail(flight, GiveUpReason::kDeadline, 0,
           "given up: the delivery deadline passed before this attempt");
      continue;
    }
    const int64_t id = flight.claim.id;
    try {
      auto request = BuildWebhookRequest(
          flight.claim.webhook_url, EncodedBody{flight.claim.body, flight.claim.content_type},
          store::NotificationWebhookId(id), unix_seconds, key, options_.request_timeout);
      in_flight_.emplace(id, std::move(flight));
      poster_.Start(std::move(request),
                    [this, id](PostResponse&& response) { OnResponse(id, std::move(response)); });
    } catch (const std::exception& e) {
      Retry(flight, 0, std::string("could not build the request: ") + e.what(), std::nullopt);
    }
  }
  return full;
}

void NotificationLoop::OnResponse(int64_t id, PostResponse&& response) {
  const auto found = in_flight_.find(id);
  if (found == in_flight_.end()) return;
  const InFlight flight = std::move(found->second);
  in_flight_.erase(found);
  if (IsSuccess(response.status_code)) {
    outcomes_.push_back({id, flight.claim.attempt, store::NotificationOutcomeKind::kDelivered,
                         milliseconds(0), response.status_code, ""});
    ++counts_.delivered;
    observer_.OnOutcome(store::NotificationOutcomeKind::kDelivered, std::nullopt);
    return;
  }
  if (response.status_code == kHttpGone) {
    Fail(flight, GiveUpReason::kGone, response.status_code,
         "given up: the receiver answered HTTP 410 Gone (endpoint removed)");
    return;
  }
  std::optional<milliseconds> retry_after;
  if (response.retry_after) retry_after = ParseRetryAfter(*response.retry_after, wall_());
  Retry(flight, response.status_code,
        response.status_code != 0 ? "receiver answered HTTP " + std::to_string(response.status_code)
                                  : "no answer: " + response.error,
        retry_after);
}

void NotificationLoop::Retry(const InFlight& flight, int status_code, std::string error,
                             std::optional<milliseconds> retry_after) {
  const auto elapsed =
      duration_cast<milliseconds>(std::chrono::steady_clock::now() - flight.started);
  const auto decision = DecideRetry(options_.retry, flight.claim.attempt, retry_after,
                                    flight.claim.until_deadline - elapsed, random_);
  const auto* retry = std::get_if<RetryIn>(&decision);
  if (!retry) {
    Fail(flight, GiveUpReason::kDeadline, status_code,
         error + "; given up: the delivery deadline passed");
    return;
  }
  const int attempt = flight.claim.attempt;
  if ((attempt & (attempt - 1)) == 0) {  // attempts 1, 2, 4, 8...: a few lines a day at most
    log_.Warn("notification_attempt_failed", {{"notification_id", flight.claim.id},
                                              {"kind", flight.claim.kind},
                                              {"url", RedactUrl(flight.claim.webhook_url)},
                                              {"attempt", attempt},
                                              {"status", status_code},
                                              {"error", error},
                                              {"retry_in_ms", retry->delay.count()}});
  }
  outcomes_.push_back({flight.claim.id, attempt, store::NotificationOutcomeKind::kRetry,
                       retry->delay, status_code, std::move(error)});
  ++counts_.retried;
  observer_.OnOutcome(store::NotificationOutcomeKind::kRetry, std::nullopt);
}

void NotificationLoop::Fail(const InFlight& flight, GiveUpReason reason, int status_code,
                            std::string error) {
  log_.Warn("notification_abandoned",
            {{"notification_id", flight.claim.id},
             {"webhook_id", store::NotificationWebhookId(flight.claim.id)},
             {"kind", flight.claim.kind},
             {"ordering_key", flight.claim.ordering_key},
             {"url", RedactUrl(flight.claim.webhook_url)},
             {"attempts", flight.claim.attempt},
             {"reason", GiveUpReasonName(reason)},
             {"status", status_code},
             {"error", error}});
  observer_.OnOutcome(store::NotificationOutcomeKind::kFailed, reason);
  outcomes_.push_back({flight.claim.id, flight.claim.attempt,
                       store::NotificationOutcomeKind::kFailed, milliseconds(0), status_code,
                       std::move(error)});
  ++counts_.failed;
}

bool NotificationLoop::Flush() {
  if (outcomes_.empty()) return false;
  try {
    queue_.Record(outcomes_);
  } catch (const std::exception& e) {
    // Kept for the next round; the leases run out meanwhile at worst and the rows are sent again
    // (receivers drop the duplicate by webhook-id).
    log_.Error("notifications_record_failed",
               {{"error", e.what()}, {"outcomes", outcomes_.size()}});
    return false;
  }
  const bool any_final = std::any_of(outcomes_.begin(), outcomes_.end(), [](const auto& o) {
    return o.kind != store::NotificationOutcomeKind::kRetry;
  });
  outcomes_.clear();
  return any_final;
}

void NotificationLoop::LogSummaryIfDue(bool force) {
  const auto now = std::chrono::steady_clock::now();
  if (!force && now < next_summary_) return;
  next_summary_ = now + kSummaryInterval;
  if (counts_.delivered == 0 && counts_.retried == 0 && counts_.failed == 0) return;
  log_.Info("notifications", {{"delivered", counts_.delivered},
                              {"retried", counts_.retried},
                              {"failed", counts_.failed},
                              {"in_flight", in_flight_.size()}});
  counts_ = Counts{};
}

}  // namespace lokahi::webhook
