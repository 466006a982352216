#include "lokahid/service/authenticator.h"

#include "lib/auth/base64.h"

namespace lokahi::lokahid {

std::optional<Role> Authenticator::Authenticate(const Caller& caller, Role needed,
                                                ApiStatus* status) const {
  if ((!admin_ && !submitter_) || caller.console_session) return Role::kAdmin;
  if (const auto wait = throttle_.Refusal(caller.address)) {
    *status = {ApiCode::kResourceExhausted, "too many failed authentications from " +
                                                caller.address + "; retry in " +
                                                std::to_string(wait->count()) + " s"};
    return std::nullopt;
  }
  std::optional<Role> role;
  if (caller.authorization) {
    if (admin_ && auth::Authorize(*caller.authorization, *admin_)) {
      role = Role::kAdmin;
    } else if (submitter_ && auth::Authorize(*caller.authorization, *submitter_)) {
      role = Role::kSubmitter;
    }
  }
  if (!role) {
    throttle_.RecordFailure(caller.address);
    *status = {ApiCode::kUnauthenticated,
               "wrong or missing credentials: send authorization: Basic base64(user:password)"};
    return std::nullopt;
  }
  if (*role == Role::kSubmitter && needed == Role::kAdmin) {
    *status = {ApiCode::kPermissionDenied,
               "these credentials (LOKAHI_SUBMIT_USERPASS) may only submit alerts"};
    return std::nullopt;
  }
  return role;
}

std::string Authenticator::UserOf(const Caller& caller) {
  if (!caller.authorization) return "";
  constexpr std::string_view kBasic = "Basic ";
  const std::string_view header = *caller.authorization;
  if (!header.starts_with(kBasic)) return "";
  const auto decoded = auth::Base64Decode(header.substr(kBasic.size()));
  if (!decoded) return "";
  return decoded->substr(0, decoded->find(':'));
}

}  // namespace lokahi::lokahid
