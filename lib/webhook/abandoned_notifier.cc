#include "lib/webhook/abandoned_notifier.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <map>
#include <stdexcept>
#include <vector>

#include "lib/webhook/webhook_request.h"

namespace lokahi::webhook {
namespace {

using std::chrono::milliseconds;

std::string NoticeId(int64_t transition_id) { return "ab_" + std::to_string(transition_id); }

bool IsSuccess(int status_code) { return status_code >= 200 && status_code < 300; }

}  // namespace

std::string AbandonedNoticeBody(const AbandonedDelivery& notice) {
  google::protobuf::Struct body;
  auto& fields = *body.mutable_fields();
  fields["type"].set_string_value("webhook.abandoned");
  fields["check_id"].set_string_value(notice.check_id);
  fields["transition_id"].set_number_value(static_cast<double>(notice.ref.transition_id));
  fields["webhook_id"].set_string_value(WebhookId(notice.ref.transition_id));
  fields["webhook_url"].set_string_value(notice.receiver);
  fields["reason"].set_string_value(GiveUpReasonName(notice.reason));
  fields["error"].set_string_value(notice.error);
  fields["from_state"].set_string_value(std::string(checks::StateName(notice.from_state)));
  fields["to_state"].set_string_value(std::string(checks::StateName(notice.to_state)));
  fields["abandoned_at"].set_string_value(google::protobuf::util::TimeUtil::ToString(
      google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
          std::chrono::duration_cast<std::chrono::nanoseconds>(
              notice.abandoned_at.time_since_epoch())
              .count())));
  std::string json;
  const auto result = google::protobuf::util::MessageToJsonString(body, &json);
  if (!result.ok()) throw std::runtime_error("encoding the notice as JSON: " + result.ToString());
  return json;
}

AbandonedNotifier::AbandonedNotifier(PgOutbox& outbox, CurlMultiPoster& poster,
                                     RandomSource& random, logging::Logger& log,
                                     AbandonedNotifierOptions options,
                                     std::function<std::chrono::system_clock::time_point()> wall)
    : outbox_(outbox),
      poster_(poster),
      random_(random),
      log_(log),
      options_(std::move(options)),
      wall_(std::move(wall)) {}

void AbandonedNotifier::RequestStop() {
  stop_requested_.store(true);
  poster_.Wake();
}

void AbandonedNotifier::Run() {
  while (!stop_requested_.load()) {
    int claimed = 0;
    try {
      claimed = SendDue();
    } catch (const std::exception& e) {
      log_.Error("ops_notice_round_failed",
                 {{"error", e.what()}, {"retry_in_ms", options_.sweep_interval.count()}});
    }
    // A full batch means more may be due: go again at once.
    if (claimed < options_.batch && !stop_requested_.load()) {
      poster_.Poll(options_.sweep_interval);
    }
  }
}

int AbandonedNotifier::SendDue() {
  const auto notices =
      outbox_.ClaimAbandoned(options_.batch, options_.request_timeout + options_.lease_margin);
  if (notices.empty()) return 0;
  std::map<int64_t, PostResponse> answers;
  const auto unix_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(wall_().time_since_epoch()).count();
  const SigningKey* key = options_.key ? &*options_.key : nullptr;
  for (const auto& notice : notices) {
    const int64_t id = notice.ref.transition_id;
    EncodedBody body{AbandonedNoticeBody(notice), "application/json"};
    poster_.Start(BuildWebhookRequest(options_.url, std::move(body), NoticeId(id), unix_seconds,
                                      key, options_.request_timeout),
                  [&answers, id](PostResponse&& response) { answers[id] = std::move(response); });
  }
  // Each transfer ends by its own timeout; the margin covers a slow completion.
  const auto give_up_at =
      std::chrono::steady_clock::now() + options_.request_timeout + milliseconds(1000);
  while (answers.size() < notices.size() && std::chrono::steady_clock::now() < give_up_at) {
    poster_.Poll(milliseconds(100));
  }
  poster_.AbortAll();

  std::vector<DeliveryOutcome> outcomes;
  for (const auto& notice : notices) {
    DeliveryOutcome outcome;
    outcome.ref = notice.ref;
    const auto answer = answers.find(notice.ref.transition_id);
    const PostResponse response = answer != answers.end() ? answer->second : PostResponse{};
    if (IsSuccess(response.status_code)) {
      outcome.kind = OutcomeKind::kDelivered;
      log_.Info("ops_notice_sent", {{"transition_id", notice.ref.transition_id},
                                    {"check_id", notice.check_id},
                                    {"attempt", notice.ref.attempt}});
      outcomes.push_back(std::move(outcome));
      continue;
    }
    outcome.error = response.status_code != 0
                        ? "operator webhook answered HTTP " + std::to_string(response.status_code)
                        : "no answer from the operator webhook: " +
                              (response.error.empty() ? std::string("timed out") : response.error);
    const auto decision = DecideRetry(options_.retry, notice.ref.attempt, std::nullopt,
                                      notice.until_deadline, random_);
    if (const auto* retry = std::get_if<RetryIn>(&decision)) {
      outcome.kind = OutcomeKind::kRetry;
      outcome.retry_in = retry->delay;
      log_.Warn("ops_notice_attempt_failed", {{"transition_id", notice.ref.transition_id},
                                              {"attempt", notice.ref.attempt},
                                              {"error", outcome.error},
                                              {"retry_in_ms", retry->delay.count()}});
    } else {
      outcome.kind = OutcomeKind::kFailed;
      log_.Error("ops_notice_failed", {{"transition_id", notice.ref.transition_id},
                                       {"check_id", notice.check_id},
                                       {"attempt", notice.ref.attempt},
                                       {"error", outcome.error},
                                       {"reason", "deadline reached"}});
    }
    outcomes.push_back(std::move(outcome));
  }
  outbox_.RecordAbandoned(outcomes);
  return static_cast<int>(notices.size());
}

}  // namespace lokahi::webhook
