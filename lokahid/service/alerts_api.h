#pragma once
// The Alerts API (push alerts, proto/alerts.proto) once for every transport: gRPC, Twirp and
// purple's POST /events only decode, call these methods and encode. Authentication (the admin pair,
// or the submit-only pair for Submit and /events), validation with messages naming the item and
// field, the choice of a source, and store calls. Holds no state of its own; thread-safe because
// its collaborators are.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "alerts.pb.h"
#include "lib/alerts/submission.h"
#include "lib/logging/logger.h"
#include "lib/store/pg_alert_store.h"
#include "lokahid/service/api_status.h"
#include "lokahid/service/authenticator.h"

namespace lokahi::lokahid {

inline constexpr int kDefaultAlertListCount = 50;
inline constexpr int kMaxAlertListCount = 1000;
inline constexpr int kMaxAlertDeliveries = 100;

struct AlertsApiOptions {
  std::chrono::seconds repeat = std::chrono::hours(1);  // LOKAHI_ALERT_REPEAT (Raise needs it)
};

// Which item of a batch was refused, and for which field ("" when the batch as a whole was).
struct SubmitRefusal {
  int index = -1;
  std::string field;
};

class AlertsApi {
 public:
  // Collaborators must outlive the API. `notify` is called after a commit that queued
  // notifications (a NATS nudge to the webhookworkers); `clock` resolves relative raise times.
  struct Collaborators {
    store::PgAlertStore& store;
    const Authenticator& authenticator;
    std::function<void()> notify;
    std::function<alerts::Timestamp()> clock;
  };
  AlertsApi(Collaborators collaborators, AlertsApiOptions options, logging::Logger& log);

  ApiStatus Submit(const Caller& caller, const github::xe::lokahi::SubmitAlertsRequest& request,
                   github::xe::lokahi::SubmitAlertsResponse* response);
  ApiStatus Get(const Caller& caller, const github::xe::lokahi::AlertRef& request,
                github::xe::lokahi::Alert* response);
  ApiStatus List(const Caller& caller, const github::xe::lokahi::ListAlertsRequest& request,
                 github::xe::lokahi::AlertsPage* response);
  ApiStatus Acknowledge(const Caller& caller,
                        const github::xe::lokahi::AcknowledgeAlertRequest& request,
                        github::xe::lokahi::Alert* response);
  ApiStatus Clear(const Caller& caller, const github::xe::lokahi::AlertRef& request,
                  github::xe::lokahi::Alert* response);
  ApiStatus Raise(const Caller& caller, const github::xe::lokahi::AlertRef& request,
                  github::xe::lokahi::Alert* response);
  // The alert's notifications and their delivery, newest first (kMaxAlertDeliveries).
  ApiStatus Deliveries(const Caller& caller, const github::xe::lokahi::AlertRef& request,
                       github::xe::lokahi::AlertDeliveriesPage* response);

  // The one submission path (Submit and /events): at most alerts::kMaxBatch items, all valid or
  // none stored. An item without a source gets the caller's address. On refusal `refusal` names
  // the item and field; `label` names the batch in messages ("alerts", "events").
  ApiStatus SubmitBatch(const Caller& caller, std::vector<alerts::Submission> batch,
                        std::string_view label, std::vector<alerts::Alert>* stored,
                        SubmitRefusal* refusal);

 private:
  // Resolves a reference with an empty source to the one source that has the id.
  ApiStatus ResolveKey(const std::string& id, const std::string& source, alerts::AlertKey* key);
  ApiStatus MutateOne(const Caller& caller, const char* method, const std::string& id,
                      const std::string& source, const store::PgAlertStore::Decide& decide,
                      github::xe::lokahi::Alert* response);

  store::PgAlertStore& store_;
  const Authenticator& authenticator_;
  std::function<void()> notify_;
  std::function<alerts::Timestamp()> clock_;
  AlertsApiOptions options_;
  logging::Logger& log_;
};

}  // namespace lokahi::lokahid
