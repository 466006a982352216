#pragma once
// HTTP Basic credentials as the API expects them in `authorization` metadata.

#include <optional>
#include <string>
#include <string_view>

namespace lokahi::auth {

struct Credentials {
  std::string user;
  std::string password;
};

// "user:pass" -> Credentials; nullopt when there is no colon or the user is empty.
std::optional<Credentials> ParseUserPass(std::string_view userpass);

// "Basic base64(user:pass)" for a request header.
std::string BasicAuthorizationHeader(const Credentials& credentials);

// Compares in time that depends only on the lengths, never on where the bytes differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Checks an `authorization` header value against the expected credentials. Both the user and the
// password are always compared, so timing does not reveal which one was wrong.
bool Authorize(std::string_view header_value, const Credentials& expected);

}  // namespace lokahi::auth
