#include "lokahid/service/alerts_api.h"

#include "lib/alerts/raise_spec.h"
#include "lib/alerts/transitions.h"
#include "lib/auth/base64.h"
#include "lib/checks/quote.h"
#include "lokahid/alerts_convert.h"
#include "lokahid/service/guarded.h"

namespace lokahi::lokahid {

namespace pb = github::xe::lokahi;

namespace {

constexpr size_t kMaxAckNoteBytes = 1024;
constexpr int kMaxSourcesListed = 10;

ApiStatus Invalid(std::string message) { return {ApiCode::kInvalidArgument, std::move(message)}; }

// Page tokens: the last alert's key, "source\0id" in URL-safe-free standard base64 (ids and sources
// hold no NUL).
std::string PageTokenAfter(const alerts::AlertKey& key) {
  return auth::Base64Encode(key.source + std::string(1, '\0') + key.id);
}

std::optional<alerts::AlertKey> ParseAlertPageToken(const std::string& token) {
  const auto decoded = auth::Base64Decode(token);
  if (!decoded) return std::nullopt;
  const auto nul = decoded->find('\0');
  if (nul == std::string::npos) return std::nullopt;
  return alerts::AlertKey{decoded->substr(0, nul), decoded->substr(nul + 1)};
}

std::string Describe(const alerts::AlertKey& key) {
  return "alert " + checks::Quote(key.id) + " from " + checks::Quote(key.source);
}

}  // namespace

AlertsApi::AlertsApi(Collaborators collaborators, AlertsApiOptions options, logging::Logger& log)
    : store_(collaborators.store),
      authenticator_(collaborators.authenticator),
      notify_(std::move(collaborators.notify)),
      clock_(std::move(collaborators.clock)),
      options_(options),
      log_(log) {}

ApiStatus AlertsApi::SubmitBatch(const Caller& caller, std::vector<alerts::Submission> batch,
                                 std::string_view label, std::vector<alerts::Alert>* stored,
                                 SubmitRefusal* refusal) {
  ApiStatus status;
  const auto role = authenticator_.Authenticate(caller, Role::kSubmitter, &status);
  if (!role) return status;
  const std::string name(label);
  if (batch.empty()) return Invalid(name + ": no alert to submit");
  if (batch.size() > alerts::kMaxBatch) {
    return Invalid(name + ": at most " + std::to_string(alerts::kMaxBatch) +
                   " alerts per submission, got " + std::to_string(batch.size()));
  }
  const auto now = clock_();
  std::vector<alerts::ResolvedSubmission> resolved;
  resolved.reserve(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    auto& submission = batch[i];
    const std::string item = name + "[" + std::to_string(i) + "]";
    if (!submission.webhook_url.empty() && *role != Role::kAdmin) {
      if (refusal) *refusal = {static_cast<int>(i), "webhook_url"};
      return {ApiCode::kPermissionDenied,
              item + ".webhook_url: only admin credentials (USERPASS) may set webhook_url"};
    }
    if (submission.key.source.empty()) submission.key.source = caller.address;
    auto result = alerts::Resolve(submission, now);
    if (auto* error = std::get_if<alerts::FieldError>(&result)) {
      if (refusal) *refusal = {static_cast<int>(i), error->field};
      return Invalid(item + "." + error->message);
    }
    resolved.push_back(std::move(std::get<alerts::ResolvedSubmission>(result)));
  }
  return RunGuarded(log_, caller, "Submit", [&] {
    auto applied = store_.Submit(resolved, now);
    if (applied.notifications > 0 && notify_) notify_();
    *stored = std::move(applied.alerts);
    return ApiStatus::Ok();
  });
}

ApiStatus AlertsApi::Submit(const Caller& caller, const pb::SubmitAlertsRequest& request,
                            pb::SubmitAlertsResponse* response) {
  std::vector<alerts::Submission> batch;
  batch.reserve(static_cast<size_t>(request.alerts_size()));
  for (const auto& submission : request.alerts()) batch.push_back(SubmissionFromProto(submission));
  std::vector<alerts::Alert> stored;
  auto status = SubmitBatch(caller, std::move(batch), "alerts", &stored, nullptr);
  if (!status.ok()) return status;
  for (const auto& alert : stored) AlertToProto(alert, response->add_alerts());
  return ApiStatus::Ok();
}

ApiStatus AlertsApi::ResolveKey(const std::string& id, const std::string& source,
                                alerts::AlertKey* key) {
  std::string why;
  if (!alerts::IsPrintableName(id, alerts::kMaxIdChars, &why)) return Invalid("id " + why);
  if (!source.empty()) {
    *key = {source, id};
    return ApiStatus::Ok();
  }
  const auto sources = store_.SourcesOf(id, kMaxSourcesListed + 1);
  if (sources.empty()) return {ApiCode::kNotFound, "no alert with id " + checks::Quote(id)};
  if (sources.size() > 1) {
    std::string listed;
    for (size_t i = 0; i < sources.size() && i < kMaxSourcesListed; ++i) {
      listed += (i ? ", " : "") + checks::Quote(sources[i]);
    }
    if (sources.size() > kMaxSourcesListed) listed += ", ...";
    return {ApiCode::kFailedPrecondition, "alert id " + checks::Quote(id) +
                                              " exists for several sources (" + listed +
                                              "): name one with source"};
  }
  *key = {sources.front(), id};
  return ApiStatus::Ok();
}

ApiStatus AlertsApi::Get(const Caller& caller, const pb::AlertRef& request, pb::Alert* response) {
  ApiStatus status;
  if (!authenticator_.Authenticate(caller, Role::kAdmin, &status)) return status;
  return RunGuarded(log_, caller, "Get", [&] {
    alerts::AlertKey key;
    if (auto resolved = ResolveKey(request.id(), request.source(), &key); !resolved.ok()) {
      return resolved;
    }
    const auto alert = store_.Get(key);
    if (!alert) return ApiStatus{ApiCode::kNotFound, "no " + Describe(key)};
    AlertToProto(*alert, response);
    return ApiStatus::Ok();
  });
}

ApiStatus AlertsApi::List(const Caller& caller, const pb::ListAlertsRequest& request,
                          pb::AlertsPage* response) {
  ApiStatus status;
  if (!authenticator_.Authenticate(caller, Role::kAdmin, &status)) return status;
  const int count = request.count() == 0 ? kDefaultAlertListCount : request.count();
  if (count < 1 || count > kMaxAlertListCount) {
    return Invalid("count must be between 1 and " + std::to_string(kMaxAlertListCount) + ", got " +
                   std::to_string(request.count()));
  }
  store::AlertListFilter filter;
  if (request.has_state()) {
    if (!pb::Alert::State_IsValid(request.state())) {
      return Invalid("state must be PENDING, RAISED, ACKNOWLEDGED or CLEARED, got " +
                     std::to_string(request.state()));
    }
    filter.state = static_cast<alerts::State>(request.state());
  }
  filter.source = request.source();
  filter.id_prefix = request.id_prefix();
  std::optional<alerts::AlertKey> after;
  if (!request.page_token().empty()) {
    after = ParseAlertPageToken(request.page_token());
    if (!after) {
      return Invalid(
          "page_token is not one this server issued: pass a next_page_token from an earlier "
          "List unchanged");
    }
  }
  return RunGuarded(log_, caller, "List", [&] {
    const auto page = store_.List(filter, count, after);
    for (const auto& alert : page.alerts) AlertToProto(alert, response->add_alerts());
    if (page.more) response->set_next_page_token(PageTokenAfter(page.alerts.back().key));
    return ApiStatus::Ok();
  });
}

ApiStatus AlertsApi::MutateOne(const Caller& caller, const char* method, const std::string& id,
                               const std::string& source, const store::PgAlertStore::Decide& decide,
                               pb::Alert* response) {
  return RunGuarded(log_, caller, method, [&] {
    alerts::AlertKey key;
    if (auto resolved = ResolveKey(id, source, &key); !resolved.ok()) return resolved;
    const auto mutated = store_.Mutate(key, decide, clock_());
    if (!mutated.change) {
      if (mutated.refusal.empty()) return ApiStatus{ApiCode::kNotFound, "no " + Describe(key)};
      return ApiStatus{ApiCode::kFailedPrecondition, Describe(key) + ": " + mutated.refusal};
    }
    if (mutated.notifications > 0 && notify_) notify_();
    AlertToProto(mutated.change->after, response);
    return ApiStatus::Ok();
  });
}

ApiStatus AlertsApi::Acknowledge(const Caller& caller, const pb::AcknowledgeAlertRequest& request,
                                 pb::Alert* response) {
  ApiStatus status;
  if (!authenticator_.Authenticate(caller, Role::kAdmin, &status)) return status;
  const auto ack_for = request.for_seconds() == 0 ? std::chrono::seconds(alerts::kDefaultAckFor)
                                                  : std::chrono::seconds(request.for_seconds());
  if (ack_for < std::chrono::seconds(1) || ack_for > alerts::kMaxAckFor) {
    return Invalid("for_seconds must be between 1 and " +
                   std::to_string(std::chrono::seconds(alerts::kMaxAckFor).count()) +
                   " (30 days), got " + std::to_string(request.for_seconds()));
  }
  std::string by = request.by().empty() ? Authenticator::UserOf(caller) : request.by();
  if (by.empty()) by = caller.address;
  std::string why;
  if (!alerts::IsPrintableName(by, alerts::kMaxSourceChars, &why)) return Invalid("by " + why);
  if (request.note().size() > kMaxAckNoteBytes) {
    return Invalid("note must be at most " + std::to_string(kMaxAckNoteBytes) + " bytes, got " +
                   std::to_string(request.note().size()));
  }
  const auto now = clock_();
  return MutateOne(
      caller, "Acknowledge", request.id(), request.source(),
      [&](const alerts::Alert& alert) {
        return alerts::Acknowledge(alert, now, ack_for, by, request.note());
      },
      response);
}

ApiStatus AlertsApi::Clear(const Caller& caller, const pb::AlertRef& request, pb::Alert* response) {
  ApiStatus status;
  if (!authenticator_.Authenticate(caller, Role::kAdmin, &status)) return status;
  const auto now = clock_();
  return MutateOne(
      caller, "Clear", request.id(), request.source(),
      [&](const alerts::Alert& alert) -> std::variant<alerts::Change, std::string> {
        return alerts::Clear(alert, now);
      },
      response);
}

ApiStatus AlertsApi::Raise(const Caller& caller, const pb::AlertRef& request, pb::Alert* response) {
  ApiStatus status;
  if (!authenticator_.Authenticate(caller, Role::kAdmin, &status)) return status;
  const auto now = clock_();
  return MutateOne(
      caller, "Raise", request.id(), request.source(),
      [&](const alerts::Alert& alert) -> std::variant<alerts::Change, std::string> {
        return alerts::RaiseNow(alert, now, options_.repeat);
      },
      response);
}

ApiStatus AlertsApi::Deliveries(const Caller& caller, const pb::AlertRef& request,
                                pb::AlertDeliveriesPage* response) {
  ApiStatus status;
  if (!authenticator_.Authenticate(caller, Role::kAdmin, &status)) return status;
  return RunGuarded(log_, caller, "Deliveries", [&] {
    alerts::AlertKey key;
    if (auto resolved = ResolveKey(request.id(), request.source(), &key); !resolved.ok()) {
      return resolved;
    }
    const auto records = store_.Deliveries(key, kMaxAlertDeliveries);
    // A removed (pruned) alert keeps its history readable; an unknown one is NOT_FOUND.
    if (records.empty() && !store_.Get(key)) {
      return ApiStatus{ApiCode::kNotFound, "no " + Describe(key)};
    }
    for (const auto& record : records) AlertDeliveryToProto(record, response->add_deliveries());
    return ApiStatus::Ok();
  });
}

}  // namespace lokahi::lokahid
