#include "lib/checks/url.h"

#include <algorithm>
#include <cctype>

namespace lokahi::checks {
namespace {
std::optional<HttpUrl> Fail(std::string* why, std::string reason) {
  if (why) *why = std::move(reason);
  return std::nullopt;
}
}  // namespace

std::optional<HttpUrl> ParseHttpUrl(std::string_view text, std::string* why) {
  if (text.empty()) return Fail(why, "is empty");
  if (std::any_of(text.begin(), text.end(),
                  [](char c) { return std::isspace(static_cast<unsigned char>(c)) || c < 0x20; })) {
    return Fail(why, "contains whitespace or control characters");
  }
  const auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) return Fail(why, "must be an absolute http:// or https:// URL");
  std::string scheme(text.substr(0, scheme_end));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (scheme != "http" && scheme != "https") {
    return Fail(why, "must use http or https, got \"" + scheme + "\"");
  }
  std::string_view rest = text.substr(scheme_end + 3);
  const auto authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  const auto at = authority.rfind('@');
  if (at != std::string_view::npos) authority = authority.substr(at + 1);
  std::string_view host = authority;
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return Fail(why, "has an unterminated IPv6 address");
    host = authority.substr(0, close + 1);
    const auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Fail(why, "has junk after the IPv6 address");
      port_text = after.substr(1);
    }
  } else {
    const auto colon = authority.rfind(':');
    if (colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      port_text = authority.substr(colon + 1);
    }
  }
  if (host.empty()) return Fail(why, "must have a host");
  HttpUrl url{scheme, std::string(host), 0};
  if (!port_text.empty()) {
    if (port_text.size() > 5 || !std::all_of(port_text.begin(), port_text.end(), [](char c) {
          return std::isdigit(static_cast<unsigned char>(c));
        })) {
      return Fail(why, "has an invalid port \"" + std::string(port_text) + "\"");
    }
    url.port = std::stoi(std::string(port_text));
    if (url.port < 1 || url.port > 65535) return Fail(why, "port must be between 1 and 65535");
  }
  return url;
}

}  // namespace lokahi::checks
