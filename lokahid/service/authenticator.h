#pragma once
// Who may call what, for every service and transport: the admin pair (USERPASS) may do anything;
// the submit-only pair (LOKAHI_SUBMIT_USERPASS) may only submit alerts, for hosts that push them.
// With no pair configured every caller is admin. Failed attempts are throttled per client address
// (auth::FailedAuthThrottle), and a missing header, a wrong user and a wrong password get the same
// answer. A web console session is admin (it was opened with admin credentials). Thread-safe
// because the throttle is.

#include <optional>
#include <string>

#include "lib/auth/basic_auth.h"
#include "lib/auth/failed_auth_throttle.h"
#include "lokahid/service/api_status.h"

namespace lokahi::lokahid {

// Who is calling, as the transport saw it.
struct Caller {
  std::optional<std::string> authorization;  // the Authorization header's value, if sent
  std::string address;                       // client address ("" when unknown)
  std::string_view transport;                // "grpc", "twirp", "events": for logs
  // Set only by the web console, after it found the caller's login session (which it opened
  // when Authenticate admitted the credentials typed into its login form).
  bool console_session = false;
};

enum class Role { kSubmitter, kAdmin };

class Authenticator {
 public:
  // `throttle` must outlive the authenticator.
  Authenticator(std::optional<auth::Credentials> admin, std::optional<auth::Credentials> submitter,
                auth::FailedAuthThrottle& throttle)
      : admin_(std::move(admin)), submitter_(std::move(submitter)), throttle_(throttle) {}

  // The caller's role when it is at least `needed`; otherwise UNAUTHENTICATED (no or wrong
  // credentials), PERMISSION_DENIED (submit-only credentials for an admin call) or
  // RESOURCE_EXHAUSTED (throttled) in `status`.
  std::optional<Role> Authenticate(const Caller& caller, Role needed, ApiStatus* status) const;

  // The user name the caller authenticated as ("" without credentials configured).
  static std::string UserOf(const Caller& caller);

 private:
  std::optional<auth::Credentials> admin_;
  std::optional<auth::Credentials> submitter_;
  auth::FailedAuthThrottle& throttle_;
};

}  // namespace lokahi::lokahid
