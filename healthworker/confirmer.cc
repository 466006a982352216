#include "healthworker/confirmer.h"

#include "healthworker/spec_validation.h"
#include "internal.pb.h"
#include "lib/nats/subjects.h"

namespace lokahi::healthworker {

using nats::Subjects;

Confirmer::Confirmer(nats::Connection& nats, ProbeDispatcher& dispatcher,
                     const VantageMonitor* vantage, store::ResultWriter& writer,
                     OnTransitions on_transitions, ConfirmerOptions options, logging::Logger& log)
    : nats_(nats),
      dispatcher_(dispatcher),
      vantage_(vantage),
      writer_(writer),
      on_transitions_(std::move(on_transitions)),
      options_(std::move(options)),
      log_(log),
      inbox_(nats::Connection::NewInbox()),
      waits_(options_.margin) {
  thread_ = std::thread([this] { Loop(); });
  answers_ = nats_.Subscribe(
      inbox_ + ".*", "", [this](nats::Message&& m) { OnAnswer(std::move(m)); }, 65536);
  requests_ = nats_.Subscribe(
      Subjects::kCheckConfirm, nats::QueueGroups::kHealthworkers,
      [this](nats::Message&& m) { OnConfirmRequest(std::move(m)); }, 4096);
}

Confirmer::~Confirmer() { Stop(); }

void Confirmer::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  requests_.reset();
  answers_.reset();
  if (thread_.joinable()) thread_.join();
}

void Confirmer::Request(std::vector<store::ConfirmationRequest>&& requests) {
  for (auto& request : requests) {
    const store::ProbeRecord failure = request.record;
    uint64_t seq = 0;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      // The deadline counts from here, just before the request is published.
      const auto opened = waits_.Open(std::move(request), std::chrono::steady_clock::now());
      if (!opened) continue;
      seq = *opened;
    }
    stats_.requested.fetch_add(1);
    Publish(seq, failure);
  }
}

void Confirmer::Publish(uint64_t seq, const store::ProbeRecord& failure) {
  lokahi::internal::ConfirmRequest message;
  auto& spec = *message.mutable_check();
  spec.set_id(failure.check_id);
  spec.set_url(failure.url);
  spec.set_timeout_ms(failure.timeout_ms);
  spec.set_expected_status(failure.expected_status);
  spec.set_every(1);
  if (!failure.request_spec.empty()) spec.MergeFromString(failure.request_spec);
  message.set_origin(options_.instance);
  try {
    nats_.PublishRequest(Subjects::kCheckConfirm, inbox_ + "." + std::to_string(seq),
                         message.SerializeAsString());
  } catch (const std::exception& e) {
    log_.Warn("confirm_request_failed", {{"error", e.what()}});
    Resolve(seq, store::ConfirmationVerdict::kUnanswered);
  }
}

void Confirmer::OnAnswer(nats::Message&& message) {
  const size_t dot = message.subject.rfind('.');
  uint64_t seq = 0;
  try {
    seq = std::stoull(message.subject.substr(dot + 1));
  } catch (const std::exception&) {
    return;
  }
  if (message.no_responders) {
    Resolve(seq, store::ConfirmationVerdict::kUnanswered);
    return;
  }
  lokahi::internal::ProbeOutcome outcome;
  if (message.data.size() > 65536 || !outcome.ParseFromString(message.data)) return;
  if (outcome.accepted()) {
    std::lock_guard lock(mutex_);
    if (waits_.Accept(seq, std::chrono::steady_clock::now())) stats_.accepted.fetch_add(1);
    return;
  }
  if (outcome.not_probed()) {
    if (outcome.others_impaired()) {
      std::lock_guard lock(mutex_);
      if (waits_.AskAgainLater(seq, std::chrono::steady_clock::now(), options_.ask_again_after)) {
        return;
      }
    }
    Resolve(seq, store::ConfirmationVerdict::kUnanswered);
    return;
  }
  stats_.answered.fetch_add(1);
  Resolve(seq, outcome.state() == static_cast<int>(checks::State::kUp)
                   ? store::ConfirmationVerdict::kVetoed
                   : store::ConfirmationVerdict::kConfirmed);
}

void Confirmer::Resolve(uint64_t seq, store::ConfirmationVerdict verdict) {
  {
    std::lock_guard lock(mutex_);
    auto result = waits_.Close(seq, verdict);
    if (!result) return;  // answered twice, or expired
    resolved_.push_back(std::move(*result));
  }
  wake_.notify_all();
}

void Confirmer::OnConfirmRequest(nats::Message&& message) {
  lokahi::internal::ConfirmRequest request;
  if (message.reply.empty() || message.data.size() > kMaxRunPayloadBytes ||
      !request.ParseFromString(message.data) || InvalidSpec(request.check(), false)) {
    return;
  }
  const bool impaired = vantage_ != nullptr && vantage_->Impaired();
  if (request.origin() == options_.instance || impaired) {
    // Not ours to answer: pass it on to the group, a bounded number of times.
    if (request.bounces() >= options_.max_bounces) {
      // No other worker found: say so at once rather than let the asker wait out its timeout.
      lokahi::internal::ProbeOutcome none;
      none.set_check_id(request.check().id());
      none.set_not_probed(true);
      none.set_others_impaired(request.impaired_bounces() > 0 ||
                               (impaired && request.origin() != options_.instance));
      try {
        nats_.Publish(message.reply, none.SerializeAsString());
      } catch (const std::exception& e) {
        log_.Warn("confirm_pass_on_failed", {{"error", e.what()}});
      }
      return;
    }
    request.set_bounces(request.bounces() + 1);
    if (impaired && request.origin() != options_.instance) {
      request.set_impaired_bounces(request.impaired_bounces() + 1);
    }
    try {
      nats_.PublishRequest(Subjects::kCheckConfirm, message.reply, request.SerializeAsString());
    } catch (const std::exception& e) {
      log_.Warn("confirm_pass_on_failed", {{"error", e.what()}});
    }
    return;
  }
  // Taken: the asker now waits one probe timeout (plus its margin) from here, however long the
  // request took to arrive. Published before the probe starts, so it precedes the outcome.
  lokahi::internal::ProbeOutcome accepted;
  accepted.set_check_id(request.check().id());
  accepted.set_accepted(true);
  try {
    nats_.Publish(message.reply, accepted.SerializeAsString());
  } catch (const std::exception& e) {
    log_.Warn("confirm_accept_failed", {{"error", e.what()}});
  }
  dispatcher_.ProbeForConfirmation(request.check(), message.reply);
}

void Confirmer::Loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, std::chrono::milliseconds(100),
                   [&] { return stopping_ || !resolved_.empty(); });
    const auto now = std::chrono::steady_clock::now();
    for (auto& expired : waits_.Expire(now)) resolved_.push_back(std::move(expired));
    auto again = waits_.DueAgain(now);
    if ((resolved_.empty() && again.empty()) || stopping_) continue;
    std::vector<store::ConfirmationResult> batch = std::move(resolved_);
    resolved_.clear();
    lock.unlock();
    for (const auto& [seq, failure] : again) {
      stats_.asked_again.fetch_add(1);
      Publish(seq, failure);
    }
    for (const auto& r : batch) {
      (r.verdict == store::ConfirmationVerdict::kConfirmed ? stats_.confirmed
       : r.verdict == store::ConfirmationVerdict::kVetoed  ? stats_.vetoed
                                                           : stats_.unanswered)
          .fetch_add(1);
    }
    for (int attempt = 1; attempt <= 3 && !batch.empty(); ++attempt) {
      try {
        const auto outcome = writer_.ApplyConfirmations(batch);
        if (!outcome.transitions.empty()) on_transitions_(outcome.transitions);
        break;
      } catch (const std::exception& e) {
        // Not retried beyond this: the check stays UP with its failures counted, so its next
        // failing slot asks again.
        log_.Warn("confirmation_write_failed", {{"error", e.what()}, {"attempt", attempt}});
        std::this_thread::sleep_for(std::chrono::milliseconds(200 * attempt));
      }
    }
    lock.lock();
  }
}

}  // namespace lokahi::healthworker
