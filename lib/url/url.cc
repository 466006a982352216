#include "lib/url/url.h"

#include <curl/curl.h>

#include <algorithm>

namespace lokahi::url {
namespace {

constexpr std::string_view kBadPort = "port must be one number between 1 and 65535 (host:port)";

std::optional<Url> Fail(std::string* why, std::string reason) {
  if (why) *why = std::move(reason);
  return std::nullopt;
}

// libcurl's reasons, reworded to say what to change.
std::string Reason(CURLUcode code) {
  switch (code) {
    case CURLUE_BAD_SCHEME:
      return "must be an absolute http:// or https:// URL";
    case CURLUE_BAD_SLASHES:
      return "must have \"//\" after the scheme, as in http://host/";
    case CURLUE_NO_HOST:
    case CURLUE_NO_SCHEME:
      return "must have a host";
    case CURLUE_BAD_PORT_NUMBER:
      return std::string(kBadPort);
    case CURLUE_BAD_HOSTNAME:
      return "has an invalid host: a name, an IPv4 address or a [bracketed] IPv6 address"
             " (an '@' or ':' in a user name or password must be %-encoded)";
    case CURLUE_BAD_IPV6:
      return "has an invalid IPv6 address";
    case CURLUE_BAD_LOGIN:
    case CURLUE_BAD_USER:
    case CURLUE_BAD_PASSWORD:
      return "has an invalid user:password (%-encode '@', ':' and '/' in them)";
    case CURLUE_BAD_PATH:
    case CURLUE_BAD_QUERY:
    case CURLUE_BAD_FRAGMENT:
      return "has characters libcurl refuses in its path, query or fragment (%-encode them)";
    default:
      return std::string("is not a URL libcurl can fetch (") + curl_url_strerror(code) + ")";
  }
}

bool SchemeAllowed(std::string_view schemes, std::string_view scheme) {
  while (!schemes.empty()) {
    const auto comma = schemes.find(',');
    if (schemes.substr(0, comma) == scheme) return true;
    if (comma == std::string_view::npos) break;
    schemes.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

void Url::Deleter::operator()(Curl_URL* handle) const noexcept { curl_url_cleanup(handle); }

std::optional<Url> Url::Parse(std::string_view text, std::string* why,
                              const ParseOptions& options) {
  if (text.empty()) return Fail(why, "is empty");
  if (text.size() > options.max_bytes) {
    return Fail(why, "must be at most " + std::to_string(options.max_bytes) + " bytes, got " +
                         std::to_string(text.size()));
  }
  // Checked before libcurl, which would turn a non-ASCII host into punycode itself (or not,
  // depending on its build) and pass other bytes through unencoded.
  if (std::any_of(text.begin(), text.end(),
                  [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) {
    return Fail(why, "must be ASCII; use punycode and %-encoding");
  }
  if (std::any_of(text.begin(), text.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return byte <= 0x20 || byte == 0x7f;
      })) {
    return Fail(why, "contains whitespace or control characters");
  }
  Url url(curl_url());
  if (!url.handle_) return Fail(why, "could not be parsed (out of memory)");
  const std::string terminated(text);
  const CURLUcode code =
      curl_url_set(url.handle_.get(), CURLUPART_URL, terminated.c_str(), CURLU_NON_SUPPORT_SCHEME);
  if (code != CURLUE_OK) return Fail(why, Reason(code));
  const std::string scheme = url.scheme();
  if (!options.schemes.empty() && !SchemeAllowed(options.schemes, scheme)) {
    std::string allowed(options.schemes);
    if (const auto last = allowed.rfind(','); last != std::string::npos) {
      allowed.replace(last, 1, " or ");
    }
    std::replace(allowed.begin(), allowed.end(), ',', ' ');
    return Fail(why, "must use " + allowed + ", got \"" + scheme.substr(0, 20) + "\"");
  }
  if (url.host().empty()) return Fail(why, "must have a host");
  if (!options.allow_port_zero && url.Part(CURLUPART_PORT) == "0") {
    return Fail(why, std::string(kBadPort));
  }
  return url;
}

Url::Url(const Url& other)
    : handle_(other.handle_ ? curl_url_dup(other.handle_.get()) : nullptr) {}

Url& Url::operator=(const Url& other) {
  if (this != &other) handle_.reset(other.handle_ ? curl_url_dup(other.handle_.get()) : nullptr);
  return *this;
}

Url::~Url() = default;

std::string Url::Part(int part) const {
  char* value = nullptr;
  if (!handle_ ||
      curl_url_get(handle_.get(), static_cast<CURLUPart>(part), &value, 0) != CURLUE_OK ||
      value == nullptr) {
    return {};
  }
  std::string out(value);
  curl_free(value);
  return out;
}

std::string Url::scheme() const { return Part(CURLUPART_SCHEME); }
std::string Url::host() const { return Part(CURLUPART_HOST); }
int Url::port() const {
  const std::string text = Part(CURLUPART_PORT);
  return text.empty() ? 0 : std::stoi(text);  // libcurl checked it is 0-65535
}
std::string Url::user() const { return Part(CURLUPART_USER); }
std::string Url::password() const { return Part(CURLUPART_PASSWORD); }
std::string Url::path() const { return Part(CURLUPART_PATH); }
std::string Url::query() const { return Part(CURLUPART_QUERY); }
std::string Url::fragment() const { return Part(CURLUPART_FRAGMENT); }
std::string Url::str() const { return Part(CURLUPART_URL); }

std::string Url::WithoutUserinfo() const {
  Url copy(*this);
  if (!copy.handle_) return {};
  curl_url_set(copy.handle_.get(), CURLUPART_USER, nullptr, 0);
  curl_url_set(copy.handle_.get(), CURLUPART_PASSWORD, nullptr, 0);
  curl_url_set(copy.handle_.get(), CURLUPART_OPTIONS, nullptr, 0);
  return copy.str();
}

std::string Url::Origin() const {
  std::string out = scheme() + "://" + host();
  if (const int explicit_port = port(); explicit_port != 0) {
    out += ":" + std::to_string(explicit_port);
  }
  return out;
}

}  // namespace lokahi::url
