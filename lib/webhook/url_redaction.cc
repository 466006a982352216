#include "lib/webhook/url_redaction.h"

#include <curl/curl.h>

#include <memory>

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

namespace {

struct UrlDeleter {
  void operator()(CURLU* handle) const noexcept { curl_url_cleanup(handle); }
};
struct CurlStringDeleter {
  void operator()(char* text) const noexcept { curl_free(text); }
};

bool HasPart(CURLU* handle, CURLUPart part) {
  char* value = nullptr;
  const bool present = curl_url_get(handle, part, &value, 0) == CURLUE_OK;
  curl_free(value);
  return present;
}

}  // namespace

// libcurl's URL API directly: lib/url (validation's wrapper) had not landed on main yet.
std::string WithoutUserinfo(std::string_view url) {
  if (url.empty()) return std::string();
  std::unique_ptr<CURLU, UrlDeleter> handle(curl_url());
  if (!handle) return "(unparseable url)";
  const std::string terminated(url);
  if (curl_url_set(handle.get(), CURLUPART_URL, terminated.c_str(), CURLU_NON_SUPPORT_SCHEME) !=
      CURLUE_OK) {
    return "(unparseable url)";
  }
  if (!HasPart(handle.get(), CURLUPART_USER) && !HasPart(handle.get(), CURLUPART_PASSWORD) &&
      !HasPart(handle.get(), CURLUPART_OPTIONS)) {
    return terminated;
  }
  curl_url_set(handle.get(), CURLUPART_USER, nullptr, 0);
  curl_url_set(handle.get(), CURLUPART_PASSWORD, nullptr, 0);
  curl_url_set(handle.get(), CURLUPART_OPTIONS, nullptr, 0);
  char* text = nullptr;
  if (curl_url_get(handle.get(), CURLUPART_URL, &text, 0) != CURLUE_OK) {
    curl_free(text);
    return "(unparseable url)";
  }
  const std::unique_ptr<char, CurlStringDeleter> owned(text);
  return std::string(owned.get());
}

}  // namespace lokahi::webhook
