#include "lib/auth/basic_auth.h"

#include "lib/auth/base64.h"

namespace lokahi::auth {

std::optional<Credentials> ParseUserPass(std::string_view userpass) {
  const auto colon = userpass.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  return Credentials{std::string(userpass.substr(0, colon)),
                     std::string(userpass.substr(colon + 1))};
}

std::string BasicAuthorizationHeader(const Credentials& credentials) {
  return "Basic " + Base64Encode(credentials.user + ":" + credentials.password);
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  // Always walk the expected length so the loop's duration does not depend on the input.
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < b.size(); ++i) {
    const unsigned char left = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    diff |= left ^ static_cast<unsigned char>(b[i]);
  }
  return diff == 0;
}

bool Authorize(std::string_view header_value, const Credentials& expected) {
  constexpr std::string_view kScheme = "Basic ";
  if (header_value.substr(0, kScheme.size()) != kScheme) return false;
  const auto decoded = Base64Decode(header_value.substr(kScheme.size()));
  if (!decoded) return false;
  const auto given = ParseUserPass(*decoded);
  const Credentials empty{"", ""};
  const Credentials& candidate = given ? *given : empty;
  const bool user_ok = ConstantTimeEquals(candidate.user, expected.user);
  const bool password_ok = ConstantTimeEquals(candidate.password, expected.password);
  return given.has_value() && user_ok && password_ok;
}

}  // namespace lokahi::auth
