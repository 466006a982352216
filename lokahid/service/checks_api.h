#pragma once
// The Checks API and lokahi's admin RunLocal API, once, for every transport: authentication (and
// failed-auth throttling), validation, store calls, and the mapping of failures to an ApiStatus.
// The gRPC service and the Twirp handler only decode, call these methods and encode. Holds no
// state of its own; thread-safe because its collaborators are.

#include <optional>
#include <string>

#include "lib/auth/basic_auth.h"
#include "lib/auth/failed_auth_throttle.h"
#include "lib/checks/validation.h"
#include "lib/logging/logger.h"
#include "lib/store/check_store.h"
#include "lib/store/pg_status_query.h"
#include "lokahi.pb.h"
#include "lokahiadmin.pb.h"
#include "lokahid/pipeline_queries.h"
#include "lokahid/run_now_client.h"
#include "lokahid/service/api_status.h"
#include "lokahid/service/authenticator.h"

namespace lokahi::lokahid {

struct ChecksApiOptions {
  std::optional<auth::Credentials> credentials;  // unset: every caller is admitted
  checks::ValidationLimits limits;
};

inline constexpr int kDefaultListCount = 50;
// A substring shorter than a trigram cannot use List's search index.
inline constexpr size_t kMinListSearchBytes = 3;
inline constexpr size_t kMaxListSearchBytes = 200;

// List's filters from the request, or the first problem with them (pure: unit-tested).
std::optional<store::ListFilter> ListFilterFromProto(const github::xe::lokahi::ListOpts& request,
                                                     std::string* problem);
inline constexpr int kMaxListCount = 1000;

class ChecksApi {
 public:
  // Collaborators must outlive the API.
  struct Collaborators {
    store::CheckStore& store;
    store::PgStatusQuery& status;
    PgPipelineQueries& pipeline;
    RunNowClient& run_now;
    auth::FailedAuthThrottle& throttle;
  };
  ChecksApi(Collaborators collaborators, ChecksApiOptions options, logging::Logger& log);

  ApiStatus Create(const Caller& caller, const github::xe::lokahi::CreateOpts& request,
                   github::xe::lokahi::Check* response);
  ApiStatus Get(const Caller& caller, const github::xe::lokahi::CheckID& request,
                github::xe::lokahi::Check* response);
  ApiStatus List(const Caller& caller, const github::xe::lokahi::ListOpts& request,
                 github::xe::lokahi::ChecksPage* response);
  ApiStatus Put(const Caller& caller, const github::xe::lokahi::Check& request,
                github::xe::lokahi::Check* response);
  ApiStatus Delete(const Caller& caller, const github::xe::lokahi::CheckID& request,
                   github::xe::lokahi::Check* response);
  ApiStatus Status(const Caller& caller, const github::xe::lokahi::CheckID& request,
                   github::xe::lokahi::CheckStatus* response);
  ApiStatus Run(const Caller& caller, const github::xe::lokahi::CheckID& request,
                github::xe::lokahi::CheckStatus* response);
  ApiStatus RunStats(const Caller& caller, const github::xe::lokahi::Nil& request,
                     github::xe::lokahi::PipelineStats* response);
  ApiStatus Deliveries(const Caller& caller, const github::xe::lokahi::CheckID& request,
                       github::xe::lokahi::DeliveriesPage* response);

  // lokahi's admin API: probe these checks now (one after another, as lokahi did) / latency of
  // the last hour's probes in int64 nanoseconds.
  ApiStatus RunLocalChecks(const Caller& caller, const github::xe::lokahi::admin::CheckIDs& request,
                           github::xe::lokahi::admin::Run* response);
  ApiStatus RunLocalStats(const Caller& caller, const github::xe::lokahi::admin::Nil& request,
                          github::xe::lokahi::admin::HistogramData* response);

  // Whether `caller` holds the admin credentials (failures throttled per address): every method
  // above starts with it; the console's login form and pages call it too.
  ApiStatus Authenticate(const Caller& caller);

 private:
  // Authenticates `caller`, runs `body`, and turns store failures into statuses a caller can
  // act on.
  template <typename Body>
  ApiStatus Guarded(const Caller& caller, const char* method, Body&& body);

  store::CheckStore& store_;
  store::PgStatusQuery& status_;
  PgPipelineQueries& pipeline_;
  RunNowClient& run_now_;
  auth::FailedAuthThrottle& throttle_;
  ChecksApiOptions options_;
  Authenticator authenticator_;
  logging::Logger& log_;
};

}  // namespace lokahi::lokahid
