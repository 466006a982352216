#pragma once
// The Maintenance API (proto/maintenance.proto), once for every transport: authentication (admin,
// the Authenticator every service shares), failure mapping (RunGuarded), validation with messages
// a caller can act on, and the store calls. The gRPC service and the Twirp routes only decode, call and encode.
// Holds no state of its own; thread-safe because its collaborators are.

#include "lib/logging/logger.h"
#include "lib/store/pg_maintenance_store.h"
#include "lokahid/service/api_status.h"
#include "lokahid/service/authenticator.h"
#include "maintenance.pb.h"

namespace lokahi::lokahid {

inline constexpr int kMaxMaintenanceWindowsListed = 1000;
inline constexpr size_t kMaxMaintenanceCheckIds = 1000;
inline constexpr size_t kMaxMaintenanceReasonBytes = 500;
inline constexpr int64_t kMaxMaintenanceSeconds = 366LL * 86400;

class MaintenanceApi {
 public:
  // Every reference must outlive the API.
  MaintenanceApi(store::PgMaintenanceStore& store, const Authenticator& authenticator,
                 logging::Logger& log)
      : store_(store), authenticator_(authenticator), log_(log) {}

  ApiStatus Create(const Caller& caller, const github::xe::lokahi::MaintenanceWindow& request,
                   github::xe::lokahi::MaintenanceWindow* response);
  ApiStatus List(const Caller& caller, const github::xe::lokahi::MaintenanceListOpts& request,
                 github::xe::lokahi::MaintenanceWindows* response);
  ApiStatus Delete(const Caller& caller, const github::xe::lokahi::MaintenanceWindowID& request,
                   github::xe::lokahi::MaintenanceWindow* response);

 private:
  // Authenticates an admin caller, then runs `body` through RunGuarded.
  template <typename Body>
  ApiStatus Guarded(const Caller& caller, const char* method, Body&& body);

  store::PgMaintenanceStore& store_;
  const Authenticator& authenticator_;
  logging::Logger& log_;
};

// The window Create would store, or the first problem with the request (pure: unit-tested).
std::optional<store::NewMaintenanceWindow> NewWindowFromProto(
    const github::xe::lokahi::MaintenanceWindow& request, std::string* problem);
void WindowToProto(const store::MaintenanceWindow& in, github::xe::lokahi::MaintenanceWindow* out);

}  // namespace lokahi::lokahid
