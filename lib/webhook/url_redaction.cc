#include "lib/webhook/url_redaction.h"

#include "lib/url/url.h"

namespace lokahi::webhook {

std::string RedactUrl(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) return "(unparseable url)";
  for (char c : url.substr(0, scheme_end)) {
    const bool scheme_char = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                             (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
    if (!scheme_char) return "(unparseable url)";
  }
  const auto rest = url.substr(scheme_end + 3);
  auto authority = rest.substr(0, rest.find_first_of("/?#"));
  const bool has_more = authority.size() < rest.size();
  // Userinfo ends at the last '@' of the authority (a password may itself contain '@').
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  if (authority.empty()) return "(unparseable url)";
  std::string out(url.substr(0, scheme_end));
  out.append("://").append(authority);
  if (has_more) out.append("/…");
  return out;
}

std::string WithoutUserinfo(std::string_view text) {
  if (text.empty()) return std::string();
  url::ParseOptions options;
  options.schemes = "";  // any scheme: this only shows a URL, it fetches nothing
  options.allow_port_zero = true;
  const auto parsed = url::Url::Parse(text, nullptr, options);
  if (!parsed) return "(unparseable url)";
  if (parsed->user().empty() && parsed->password().empty()) return std::string(text);
  return parsed->WithoutUserinfo();
}

}  // namespace lokahi::webhook
