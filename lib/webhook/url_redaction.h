#pragma once
// Webhook URLs often carry credentials: userinfo, query tokens, or a secret path (Slack and
// Discord put the token in the path). Logs show only where a request went, never those parts.

#include <string>
#include <string_view>

namespace lokahi::webhook {

// "https://user:pw@hooks.example.com:8443/T0/B1/xyz?token=1" -> "https://hooks.example.com:8443/…".
// Anything not shaped like scheme://authority gives "(unparseable url)".
std::string RedactUrl(std::string_view url);

// The URL without its userinfo (user, password, login options), parsed by lib/url (libcurl's URL
// API, as the prober parses it): "http://user:secret@host/x" -> "http://host/x". A URL without userinfo comes
// back unchanged; one libcurl cannot parse gives "(unparseable url)".
std::string WithoutUserinfo(std::string_view url);

}  // namespace lokahi::webhook
