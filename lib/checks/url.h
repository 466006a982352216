#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace lokahi::checks {

struct HttpUrl {
  std::string scheme;  // "http" or "https", lowercase
  std::string host;
  int port = 0;  // explicit port, 0 when absent
};

// Parses an absolute http or https URL with a host. On failure returns nullopt and, when `why` is
// given, sets it to the reason in words a user can act on.
std::optional<HttpUrl> ParseHttpUrl(std::string_view text, std::string* why = nullptr);

}  // namespace lokahi::checks
