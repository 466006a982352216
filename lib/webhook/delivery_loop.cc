#include "lib/webhook/delivery_loop.h"

#include <algorithm>

#include "lib/webhook/check_status_body.h"
#include "lib/webhook/retry_after.h"
#include "lib/webhook/url_redaction.h"
#include "lib/webhook/webhook_request.h"

namespace lokahi::webhook {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

constexpr auto kSummaryInterval = std::chrono::seconds(10);
constexpr size_t kMaxOutcomeBatch = 1000;
constexpr auto kReleaseInterval = std::chrono::seconds(1);
constexpr size_t kMaxReleaseEntries = 10000;
constexpr int kHttpGone = 410;

bool IsSuccess(int status_code) { return status_code >= 200 && status_code < 300; }

std::vector<checks::CheckId> ParseCheckIds(const std::vector<std::string>& texts) {
  std::vector<checks::CheckId> ids;
  for (const auto& text : texts) {
    if (auto id = checks::CheckId::Parse(text)) ids.push_back(std::move(*id));
  }
  return ids;
}

}  // namespace

DeliveryLoop::DeliveryLoop(PgOutbox& outbox, store::PgStatusQuery& status_query,
                           CurlMultiPoster& poster, RandomSource& random, logging::Logger& log,
                           DeliveryObserver& observer, DeliveryLoopOptions options,
                           DeliveryClocks clocks)
    : outbox_(outbox),
      status_query_(status_query),
      poster_(poster),
      random_(random),
      log_(log),
      observer_(observer),
      options_(std::move(options)),
      clocks_(std::move(clocks)) {}

void DeliveryLoop::Nudge() {
  nudged_.store(true);
  poster_.Wake();
}

void DeliveryLoop::RequestStop() {
  stop_requested_.store(true);
  poster_.Wake();
}

int DeliveryLoop::capacity() const {
  return options_.concurrency - static_cast<int>(in_flight_.size());
}

void DeliveryLoop::Run() {
  auto next_sweep = clocks_.steady();
  next_summary_ = next_sweep + kSummaryInterval;
  bool backlog = false;  // the last claim was full: claim again as soon as there is room
  while (!stop_requested_.load()) {
    const auto now = clocks_.steady();
    const bool nudged = nudged_.exchange(false);
    // A backlog refill waits for a worthwhile batch of free slots rather than claiming one row
    // per finished transfer; a nudge or sweep takes whatever room there is.
    const bool refill = backlog && capacity() >= std::max(1, options_.concurrency / 8);
    if ((nudged || now >= next_sweep || refill) && capacity() > 0) {
      backlog = ClaimAndStart(capacity());
      next_sweep = now + options_.sweep_interval;
    } else if (nudged) {
      backlog = true;  // no room now: claim as soon as transfers finish
    }

    auto wait = duration_cast<milliseconds>(next_sweep - clocks_.steady());
    if (flush_due_)
      wait = std::min(wait, duration_cast<milliseconds>(*flush_due_ - clocks_.steady()));
    if (backlog && capacity() >= std::max(1, options_.concurrency / 8)) wait = milliseconds(0);
    poster_.Poll(std::clamp(wait, milliseconds(0), options_.sweep_interval));

    const bool flush_now = flush_due_ && (clocks_.steady() >= *flush_due_ ||
                                          pending_outcomes_.size() >= kMaxOutcomeBatch);
    if (flush_now && FlushOutcomes()) backlog = true;
    observer_.OnInFlight(in_flight_.size());
    LogSummaryIfDue(false);
  }
  Drain();
}

bool DeliveryLoop::ClaimAndStart(int limit) {
  std::vector<ClaimedDelivery> claims;
  try {
    claims = outbox_.ClaimDue(limit, options_.request_timeout + options_.lease_margin);
  } catch (const std::exception& e) {
    log_.Error("claim_failed",
               {{"error", e.what()}, {"retry_in_ms", options_.sweep_interval.count()}});
    return false;
  }
  if (claims.empty()) return false;
  counts_.claimed += static_cast<long long>(claims.size());
  observer_.OnClaimed(claims.size());

  // Histogram and uptime are computed now, for this batch, as the Status RPC computes them: a body
  // never carries a stale or made-up figure.
  std::map<std::string, store::LatencyHistogram> histograms;
  std::map<std::string, store::UptimeRatios> uptimes;
  try {
    std::vector<std::string> check_ids;
    for (const auto& claim : claims) check_ids.push_back(claim.check.id);
    const auto ids = ParseCheckIds(check_ids);
    histograms = status_query_.HistogramsFor(ids, options_.histogram_window);
    uptimes = status_query_.UptimeRatiosFor(ids);
  } catch (const std::exception& e) {
    log_.Error("status_query_failed", {{"error", e.what()}, {"claims_released", claims.size()}});
    std::vector<ClaimRef> refs;
    for (const auto& claim : claims) refs.push_back(claim.ref);
    try {
      outbox_.Release(refs);
    } catch (const std::exception& release_error) {
      // The leases run out by themselves; the rows are claimed again then.
      log_.Error("release_failed", {{"error", release_error.what()}});
    }
    return false;
  }
  for (const auto& claim : claims) {
    StartOne(claim, histograms[claim.check.id], uptimes[claim.check.id]);
  }
  return static_cast<int>(claims.size()) >= limit;
}

void DeliveryLoop::StartOne(const ClaimedDelivery& claim, const store::LatencyHistogram& histogram,
                            const store::UptimeRatios& uptime) {
  InFlight flight{claim.ref,
                  claim.check.id,
                  claim.check.options.webhook_url,
                  RedactUrl(claim.check.options.webhook_url),
                  clocks_.steady(),
                  claim.until_deadline};
  if (claim.until_deadline <= milliseconds(0)) {
    DeliveryOutcome outcome;
    outcome.error = "given up: the delivery deadline passed before this attempt";
    outcome.attempted = false;
    GiveUp(flight, std::move(outcome), GiveUpReason::kDeadline);
    return;
  }

  std::optional<SigningKey> check_key;
  const SigningKey* key = options_.default_key ? &*options_.default_key : nullptr;
  if (!claim.check.options.webhook_secret.empty()) {
    check_key = SigningKey::Parse(claim.check.options.webhook_secret);
    if (!check_key) {
      // Retried rather than failed: the owner can fix the secret before the deadline.
      AddFailedAttempt(flight, 0, "the check's webhook_secret is not whsec_<base64>", std::nullopt);
      return;
    }
    key = &*check_key;
  }

  try {
    auto body = EncodeCheckStatus(ToCheckStatus(claim, histogram, uptime),
                                  claim.check.options.webhook_format);
    const auto unix_seconds =
        std::chrono::duration_cast<std::chrono::seconds>(clocks_.wall().time_since_epoch()).count();
    auto request = BuildWebhookRequest(claim.check.options.webhook_url, std::move(body),
                                       WebhookId(claim.ref.transition_id), unix_seconds, key,
                                       options_.request_timeout);
    const int64_t id = claim.ref.transition_id;
    in_flight_.emplace(id, flight);
    poster_.Start(std::move(request),
                  [this, id](PostResponse&& response) { OnResponse(id, std::move(response)); });
  } catch (const std::exception& e) {
    in_flight_.erase(claim.ref.transition_id);
    AddFailedAttempt(flight, 0, std::string("could not build the request: ") + e.what(),
                     std::nullopt);
  }
}

void DeliveryLoop::OnResponse(int64_t transition_id, PostResponse&& response) {
  auto found = in_flight_.find(transition_id);
  if (found == in_flight_.end()) return;
  const InFlight flight = std::move(found->second);
  in_flight_.erase(found);

  if (IsSuccess(response.status_code)) {
    DeliveryOutcome outcome;
    outcome.ref = flight.ref;
    outcome.kind = OutcomeKind::kDelivered;
    outcome.check_id = flight.check_id;
    outcome.release_waiting = ReleaseDue(flight.webhook_url);
    outcome.status_code = response.status_code;
    outcome.response_time_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(response.elapsed).count();
    AddOutcome(std::move(outcome));
    return;
  }
  if (response.status_code == kHttpGone) {
    // Standard Webhooks: 410 means the endpoint was removed; retrying cannot succeed.
    DeliveryOutcome outcome;
    outcome.status_code = response.status_code;
    outcome.error = "given up: the receiver answered HTTP 410 Gone (endpoint removed)";
    GiveUp(flight, std::move(outcome), GiveUpReason::kGone);
    return;
  }
  std::optional<milliseconds> retry_after;
  if (response.retry_after) retry_after = ParseRetryAfter(*response.retry_after, clocks_.wall());
  std::string error = response.status_code != 0
                          ? "receiver answered HTTP " + std::to_string(response.status_code)
                          : "no answer: " + response.error;
  AddFailedAttempt(flight, response.status_code, std::move(error), retry_after);
}

void DeliveryLoop::AddFailedAttempt(const InFlight& flight, int status_code, std::string error,
                                    std::optional<milliseconds> retry_after) {
  const auto elapsed = duration_cast<milliseconds>(clocks_.steady() - flight.claimed_at);
  const auto decision = DecideRetry(options_.retry, flight.ref.attempt, retry_after,
                                    flight.until_deadline_at_claim - elapsed, random_);
  DeliveryOutcome outcome;
  outcome.ref = flight.ref;
  outcome.status_code = status_code;
  outcome.error = std::move(error);
  if (const auto* retry = std::get_if<RetryIn>(&decision)) {
    outcome.kind = OutcomeKind::kRetry;
    outcome.retry_in = retry->delay;
    // Attempts 1, 2, 4, 8, ...: a receiver down for a day costs each transition a few lines, not
    // one per retry; the periodic summary counts every retry.
    const int attempt = flight.ref.attempt;
    if (attempt > 0 && (attempt & (attempt - 1)) == 0) {
      log_.Warn("delivery_attempt_failed", {{"transition_id", flight.ref.transition_id},
                                            {"check_id", flight.check_id},
                                            {"url", flight.redacted_url},
                                            {"attempt", flight.ref.attempt},
                                            {"status", status_code},
                                            {"error", outcome.error},
                                            {"retry_in_ms", retry->delay.count()}});
    }
    AddOutcome(std::move(outcome));
    return;
  }
  outcome.error += "; given up: the delivery deadline passed";
  GiveUp(flight, std::move(outcome), GiveUpReason::kDeadline);
}

void DeliveryLoop::GiveUp(const InFlight& flight, DeliveryOutcome outcome, GiveUpReason reason) {
  outcome.ref = flight.ref;
  outcome.kind = OutcomeKind::kFailed;
  outcome.gave_up = reason;
  outcome.check_id = flight.check_id;
  outcome.receiver = flight.redacted_url;
  log_.Error("delivery_failed", {{"transition_id", flight.ref.transition_id},
                                 {"check_id", flight.check_id},
                                 {"url", flight.redacted_url},
                                 {"attempt", flight.ref.attempt},
                                 {"status", outcome.status_code},
                                 {"error", outcome.error},
                                 {"reason", GiveUpReasonName(reason)}});
  AddOutcome(std::move(outcome));
}

bool DeliveryLoop::ReleaseDue(const std::string& webhook_url) {
  const auto now = clocks_.steady();
  auto [entry, inserted] = released_at_.try_emplace(webhook_url, now);
  if (!inserted) {
    if (now - entry->second < kReleaseInterval) return false;
    entry->second = now;
  }
  if (released_at_.size() > kMaxReleaseEntries) {
    std::erase_if(released_at_,
                  [&](const auto& item) { return now - item.second >= kReleaseInterval; });
  }
  return true;
}

void DeliveryLoop::AddOutcome(DeliveryOutcome outcome) {
  switch (outcome.kind) {
    case OutcomeKind::kDelivered:
      ++counts_.delivered;
      break;
    case OutcomeKind::kRetry:
      ++counts_.retried;
      break;
    case OutcomeKind::kFailed:
      ++counts_.failed;
      break;
  }
  observer_.OnOutcome(outcome);
  if (!flush_due_) flush_due_ = clocks_.steady() + options_.outcome_flush_interval;
  pending_outcomes_.push_back(std::move(outcome));
}

bool DeliveryLoop::FlushOutcomes() {
  if (pending_outcomes_.empty()) {
    flush_due_.reset();
    return false;
  }
  try {
    const int applied = outbox_.Record(pending_outcomes_);
    if (applied < static_cast<int>(pending_outcomes_.size())) {
      // Our lease ran out and another worker claimed the row again: its attempt decides.
      log_.Warn("outcomes_superseded",
                {{"count", static_cast<int>(pending_outcomes_.size()) - applied}});
    }
  } catch (const std::exception& e) {
    log_.Error("record_failed", {{"error", e.what()},
                                 {"outcomes", pending_outcomes_.size()},
                                 {"retry_in_ms", options_.sweep_interval.count()}});
    flush_due_ = clocks_.steady() + options_.sweep_interval;
    return false;
  }
  const bool any_final =
      std::any_of(pending_outcomes_.begin(), pending_outcomes_.end(),
                  [](const DeliveryOutcome& o) { return o.kind != OutcomeKind::kRetry; });
  pending_outcomes_.clear();
  flush_due_.reset();
  return any_final;
}

void DeliveryLoop::Drain() {
  log_.Info("draining",
            {{"in_flight", in_flight_.size()}, {"timeout_ms", options_.drain_timeout.count()}});
  const auto give_up_at = clocks_.steady() + options_.drain_timeout;
  while (!in_flight_.empty() && clocks_.steady() < give_up_at) {
    const auto left = duration_cast<milliseconds>(give_up_at - clocks_.steady());
    poster_.Poll(std::clamp(left, milliseconds(0), milliseconds(100)));
  }
  poster_.AbortAll();
  std::vector<ClaimRef> unsent;
  for (const auto& [id, flight] : in_flight_) unsent.push_back(flight.ref);
  in_flight_.clear();
  FlushOutcomes();
  try {
    outbox_.Release(unsent);
  } catch (const std::exception& e) {
    log_.Error("release_failed", {{"error", e.what()}, {"claims", unsent.size()}});
  }
  LogSummaryIfDue(true);
  log_.Info("drained",
            {{"released", unsent.size()}, {"unrecorded_outcomes", pending_outcomes_.size()}});
}

void DeliveryLoop::LogSummaryIfDue(bool force) {
  const auto now = clocks_.steady();
  if (!force && now < next_summary_) return;
  next_summary_ = now + kSummaryInterval;
  if (counts_.claimed == 0 && counts_.delivered == 0 && counts_.retried == 0 &&
      counts_.failed == 0) {
    return;
  }
  log_.Info("deliveries", {{"claimed", counts_.claimed},
                           {"delivered", counts_.delivered},
                           {"retried", counts_.retried},
                           {"failed", counts_.failed},
                           {"in_flight", in_flight_.size()}});
  counts_ = Counts{};
}

}  // namespace lokahi::webhook
