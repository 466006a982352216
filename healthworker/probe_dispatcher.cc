#include "healthworker/probe_dispatcher.h"

#include <algorithm>

#include "healthworker/spec_validation.h"
#include "healthworker/vantage_monitor.h"
#include "lib/checks/state_machine.h"
#include "lib/nats/subjects.h"

namespace lokahi::healthworker {

namespace {
int64_t UnixMillis(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
// The scheduler sends slots near now. One outside 1970..2255 comes from a corrupt or hostile
// payload (anyone who can publish on check.run): skipped as stale, since the lag and start-by
// arithmetic (in system_clock's nanoseconds, which end in 2262) would overflow on it.
constexpr int64_t kLatestDueMs = 9'000'000'000'000;
int64_t UnixMicros(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}
// The prober's request for a (validated) spec.
probe::ProbeRequest RequestFor(const lokahi::internal::CheckSpec& spec, uint64_t tag) {
  probe::ProbeRequest request{tag, spec.url(), spec.timeout_ms()};
  if (!HasRequestOptions(spec)) return request;
  request.method = spec.method();
  request.header_lines.reserve(spec.headers_size());
  for (const auto& h : spec.headers()) request.header_lines.push_back(h.name() + ": " + h.value());
  request.body = spec.body();
  request.follow_redirects = !spec.no_follow_redirects();
  request.ip_resolve = spec.ip_version() == 4   ? probe::IpResolve::kV4
                       : spec.ip_version() == 6 ? probe::IpResolve::kV6
                                                : probe::IpResolve::kAny;
  return request;
}

// What a confirming worker needs beyond url, timeout and expected status; empty for a plain GET.
std::string RequestSpec(const lokahi::internal::CheckSpec& spec) {
  if (!HasRequestOptions(spec)) return {};
  lokahi::internal::CheckSpec fields;
  fields.set_method(spec.method());
  *fields.mutable_headers() = spec.headers();
  fields.set_body(spec.body());
  fields.set_no_follow_redirects(spec.no_follow_redirects());
  fields.set_ip_version(spec.ip_version());
  return fields.SerializeAsString();
}
}  // namespace

std::chrono::milliseconds StaleAfter(int every_seconds, std::chrono::milliseconds floor,
                                     std::chrono::milliseconds max_start_lag) {
  const std::chrono::milliseconds every = std::chrono::seconds(every_seconds);
  return std::min(std::max(every, floor), max_start_lag);
}

ProbeDispatcher::ProbeDispatcher(DispatcherOptions options, ResultBatcher& batcher, Reply reply,
                                 Clock clock, logging::Logger& log)
    : options_(std::move(options)),
      batcher_(batcher),
      reply_(std::move(reply)),
      clock_(std::move(clock)),
      log_(log) {
  prober_ = std::make_unique<probe::CurlMultiProber>(
      options_.prober,
      [this](std::vector<probe::ProbeResult>&& results) { OnComplete(std::move(results)); });
}

ProbeDispatcher::~ProbeDispatcher() { Stop(std::chrono::milliseconds(0)); }

size_t ProbeDispatcher::InFlight() const { return prober_->InFlight(); }
size_t ProbeDispatcher::Queued() const { return prober_->Queued(); }

void ProbeDispatcher::Refused(std::atomic<long long>& counter, long long count,
                              const std::string& subject, const std::string& problem) {
  counter.fetch_add(count);
  const int64_t now_ms = UnixMillis(clock_());
  int64_t next = next_refusal_log_ms_.load();
  if (now_ms < next || !next_refusal_log_ms_.compare_exchange_strong(next, now_ms + 60000)) {
    refusals_unlogged_.fetch_add(count);
    return;
  }
  log_.Warn("refused_nats_message", {{"subject", subject},
                                     {"problem", problem},
                                     {"count", count},
                                     {"unlogged_since_last", refusals_unlogged_.exchange(0)}});
}

void ProbeDispatcher::OnRunBatch(const std::string& payload) {
  const std::string subject(nats::Subjects::kCheckRun);
  lokahi::internal::RunBatch batch;
  if (payload.size() > kMaxRunPayloadBytes) {
    Refused(stats_.invalid_messages, 1, subject,
            "message of " + std::to_string(payload.size()) + " bytes exceeds " +
                std::to_string(kMaxRunPayloadBytes));
    return;
  }
  if (!batch.ParseFromString(payload)) {
    Refused(stats_.invalid_messages, 1, subject,
            "not a RunBatch (" + std::to_string(payload.size()) + " bytes)");
    return;
  }
  stats_.batches_received.fetch_add(1);
  // One bad spec is refused alone: the rest of the batch is probed as usual.
  std::vector<bool> valid(static_cast<size_t>(batch.checks_size()), true);
  {
    long long invalid = 0;
    std::string first_problem;
    for (int i = 0; i < batch.checks_size(); ++i) {
      if (auto problem = InvalidSpec(batch.checks(i), true)) {
        if (invalid++ == 0) first_problem = std::move(*problem);
        valid[static_cast<size_t>(i)] = false;
      }
    }
    if (invalid > 0) Refused(stats_.invalid_specs, invalid, subject, first_problem);
  }
  if (stopping_.load()) return;
  if (options_.vantage != nullptr && options_.vantage->Impaired()) {
    HandBack(batch);
    return;
  }
  const int64_t now_ms = UnixMillis(clock_());
  // A batch that arrives after its deadline (held in a NATS client's buffer over a reconnect,
  // with the batches after it) is skipped whole: probing it would sample checks several times
  // at one moment.
  const bool late_batch = batch.deliver_by_unix_ms() > 0 && now_ms > batch.deliver_by_unix_ms();
  std::vector<probe::ProbeRequest> requests;
  requests.reserve(batch.checks_size());
  long long stale = 0, overload = 0;
  // Admits what free in-flight slots and max_queued waiting places hold, and skips only the
  // rest (skipping whole batches once over the limit starved some checks entirely). Which part
  // of a batch is skipped rotates, so an overload does not always skip the same checks.
  const size_t queued = prober_->Queued();
  const size_t in_flight = prober_->InFlight();
  const size_t free_slots =
      options_.prober.max_in_flight > in_flight ? options_.prober.max_in_flight - in_flight : 0;
  const size_t capacity = options_.max_queued + free_slots;
  size_t room = capacity > queued ? capacity - queued : 0;
  const int size = batch.checks_size();
  const int first = size > 0 ? static_cast<int>(next_rotation_.fetch_add(1) % size) : 0;
  {
    std::lock_guard lock(mutex_);
    for (int i = 0; i < size; ++i) {
      if (!valid[static_cast<size_t>((first + i) % size)]) continue;
      const auto& spec = batch.checks((first + i) % size);
      if (spec.due_unix_ms() < 0 || spec.due_unix_ms() > kLatestDueMs) {
        ++stale;  // cannot be placed in time: the arithmetic below would overflow on it
        continue;
      }
      const int64_t lag = now_ms - spec.due_unix_ms();
      const int64_t stale_after =
          StaleAfter(spec.every(), options_.stale_floor, options_.max_start_lag).count();
      if (late_batch || lag > stale_after) {
        ++stale;
        continue;
      }
      if (room == 0) {
        ++overload;
        continue;
      }
      --room;
      stats_.lag_ms_sum.fetch_add(std::max<int64_t>(lag, 0));
      stats_.lag_samples.fetch_add(1);
      const uint64_t tag = next_tag_.fetch_add(1);
      pending_.emplace(tag, Pending{spec.id(), spec.due_unix_ms(), spec.expected_status(), "",
                                    spec.url(), spec.timeout_ms(), true, RequestSpec(spec)});
      // Not started once its slot is as stale as one skipped on arrival (a backlog inside the
      // prober must not delay every probe behind it): counted as a stale skip instead.
      auto& request = requests.emplace_back(RequestFor(spec, tag));
      request.start_by = std::chrono::system_clock::time_point(
          std::chrono::milliseconds(spec.due_unix_ms() + stale_after));
    }
  }
  if (stale + overload > 0) {
    stats_.skipped_stale.fetch_add(stale);
    stats_.skipped_overload.fetch_add(overload);
    batcher_.CountSkipped(stale + overload);
  }
  if (!requests.empty()) prober_->Submit(std::move(requests));
}

void ProbeDispatcher::OnRunNow(const std::string& payload, const std::string& reply_subject) {
  const std::string subject(nats::Subjects::kCheckRunNow);
  lokahi::internal::RunNowRequest request;
  if (payload.size() > kMaxRunPayloadBytes || !request.ParseFromString(payload) ||
      reply_subject.empty()) {
    Refused(
        stats_.invalid_messages, 1, subject,
        "not a RunNowRequest with a reply subject (" + std::to_string(payload.size()) + " bytes)");
    return;
  }
  const auto& spec = request.check();
  if (auto problem = InvalidSpec(spec, false)) {
    Refused(stats_.invalid_specs, 1, subject, *problem);
    return;
  }
  ProbeNow(spec, reply_subject, true);
}

void ProbeDispatcher::ProbeForConfirmation(const lokahi::internal::CheckSpec& spec,
                                           const std::string& reply_subject) {
  ProbeNow(spec, reply_subject, false);
}

void ProbeDispatcher::ProbeNow(const lokahi::internal::CheckSpec& spec,
                               const std::string& reply_subject, bool record) {
  const uint64_t tag = next_tag_.fetch_add(1);
  {
    std::lock_guard lock(mutex_);
    pending_.emplace(tag, Pending{spec.id(), UnixMillis(clock_()), spec.expected_status(),
                                  reply_subject, spec.url(), spec.timeout_ms(), record});
  }
  std::vector<probe::ProbeRequest> requests;
  requests.push_back(RequestFor(spec, tag));
  prober_->Submit(std::move(requests));
}

void ProbeDispatcher::OnComplete(std::vector<probe::ProbeResult>&& results) {
  std::vector<store::ProbeRecord> records;
  records.reserve(results.size());
  std::vector<std::string> urls;
  if (options_.vantage != nullptr) urls.reserve(results.size());
  std::vector<std::pair<std::string, std::string>> replies;
  long long not_started = 0;
  {
    std::lock_guard lock(mutex_);
    for (auto& result : results) {
      const auto it = pending_.find(result.tag);
      if (it == pending_.end()) continue;
      Pending pending = std::move(it->second);
      pending_.erase(it);
      if (result.stopped) continue;  // cut off by Stop: says nothing about the target
      if (result.not_started) {
        ++not_started;
        continue;
      }

      store::ProbeRecord record;
      record.check_id = std::move(pending.check_id);
      record.slot_ms = pending.slot_ms;
      record.probed_unix_us = UnixMicros(result.started_at);
      record.status_code = result.status_code;
      record.latency_ns = result.total_ns;
      record.dns_ns = result.dns_ns;
      record.connect_ns = result.connect_ns;
      record.tls_ns = result.tls_ns;
      record.first_byte_ns = result.first_byte_ns;
      record.error = std::move(result.error);
      if (result.tls_cert_expires_at) {
        record.cert_expires_unix = std::chrono::duration_cast<std::chrono::seconds>(
                                       result.tls_cert_expires_at->time_since_epoch())
                                       .count();
      }
      record.verdict = checks::Judge(result.status_code, pending.expected_status);
      if (options_.probe_latency_seconds && result.status_code > 0) {
        options_.probe_latency_seconds->Observe(static_cast<double>(result.total_ns) / 1e9);
      }
      if (options_.schedule_lag_seconds && pending.reply_subject.empty()) {
        const double lag_ms = static_cast<double>(record.probed_unix_us / 1000 - pending.slot_ms);
        options_.schedule_lag_seconds->Observe(std::max(lag_ms, 0.0) / 1000.0);
      }
      switch (record.verdict) {
        case checks::Verdict::kUp:
          stats_.probes_up.fetch_add(1);
          break;
        case checks::Verdict::kDown:
          stats_.probes_down.fetch_add(1);
          break;
        case checks::Verdict::kError:
          stats_.probes_error.fetch_add(1);
          break;
        case checks::Verdict::kInconclusive:
          break;
      }
      if (!pending.reply_subject.empty()) {
        record.applies_to_state = false;
        lokahi::internal::ProbeOutcome outcome;
        outcome.set_check_id(record.check_id);
        outcome.set_status_code(record.status_code);
        outcome.set_latency_ns(record.latency_ns);
        outcome.set_dns_ns(record.dns_ns);
        outcome.set_connect_ns(record.connect_ns);
        outcome.set_tls_ns(record.tls_ns);
        outcome.set_first_byte_ns(record.first_byte_ns);
        outcome.set_error(record.error);
        outcome.set_probed_unix_ms(record.probed_unix_us / 1000);
        outcome.set_cert_expiry_unix(record.cert_expires_unix.value_or(0));
        const checks::State judged = record.verdict == checks::Verdict::kUp ? checks::State::kUp
                                     : record.verdict == checks::Verdict::kDown
                                         ? checks::State::kDown
                                         : checks::State::kError;
        outcome.set_state(static_cast<int>(judged));
        replies.emplace_back(pending.reply_subject, outcome.SerializeAsString());
      }
      if (!pending.record) continue;
      if (pending.reply_subject.empty() && record.verdict != checks::Verdict::kUp) {
        record.url = pending.url;  // another worker may be asked to confirm it
        record.timeout_ms = pending.timeout_ms;
        record.expected_status = pending.expected_status;
        record.request_spec = std::move(pending.request_spec);
      }
      records.push_back(std::move(record));
      if (options_.vantage != nullptr) urls.push_back(std::move(pending.url));
    }
  }
  for (const auto& [subject, payload] : replies) {
    try {
      reply_(subject, payload);
    } catch (const std::exception& e) {
      log_.Warn("run_now_reply_failed", {{"error", e.what()}});
    }
  }
  if (not_started > 0) {
    stats_.skipped_stale.fetch_add(not_started);
    batcher_.CountSkipped(not_started);
  }
  if (options_.vantage != nullptr && !records.empty()) {
    records = options_.vantage->Screen(std::move(records), urls);
  }
  if (!records.empty()) batcher_.Add(std::move(records));
}

void ProbeDispatcher::HandBack(lokahi::internal::RunBatch& batch) {
  const long long slots = batch.checks_size();
  if (batch.handed_back() >= 1) {
    // Already handed back by another impaired worker: not bounced again.
    stats_.skipped_stale.fetch_add(slots);
    batcher_.CountSkipped(slots);
    return;
  }
  batch.set_handed_back(batch.handed_back() + 1);
  try {
    reply_(std::string(nats::Subjects::kCheckRun), batch.SerializeAsString());
    stats_.handed_back.fetch_add(slots);
  } catch (const std::exception& e) {
    log_.Warn("hand_back_failed", {{"error", e.what()}, {"slots", slots}});
    stats_.skipped_stale.fetch_add(slots);
    batcher_.CountSkipped(slots);
  }
}

void ProbeDispatcher::Stop(std::chrono::milliseconds grace) {
  if (stopping_.exchange(true)) return;
  prober_->Stop(grace);
}

}  // namespace lokahi::healthworker
