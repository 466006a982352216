#include "lib/webhook/url_redaction.h"

#include <optional>

#include "lib/url/url.h"

namespace lokahi::webhook {

namespace {

// Any scheme: these functions only show a URL, they fetch nothing.
std::optional<url::Url> ParseForDisplay(std::string_view text) {
  url::ParseOptions options;
  options.schemes = "";
  options.allow_port_zero = true;
  return url::Url::Parse(text, nullptr, options);
}

}  // namespace

std::string RedactUrl(std::string_view text) {
  const auto parsed = ParseForDisplay(text);
  if (!parsed) return "(unparseable url)";
  std::string out = parsed->Origin();
  if (parsed->path() != "/" || !parsed->query().empty() || !parsed->fragment().empty()) {
    out.append("/…");
  }
  return out;
}

std::string WithoutUserinfo(std::string_view text) {
  if (text.empty()) return std::string();
  const auto parsed = ParseForDisplay(text);
  if (!parsed) return "(unparseable url)";
  if (parsed->user().empty() && parsed->password().empty()) return std::string(text);
  return parsed->WithoutUserinfo();
}

}  // namespace lokahi::webhook
