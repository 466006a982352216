#pragma once
// The web console's routes on lokahid's HTTP side: pages and forms that convert
// between HTML and the service layer (ChecksApi), and the static assets.
// Authentication is ChecksApi's: admin credentials as HTTP Basic (scripts,
// tests) or typed into the login form, which opens a session kept in Postgres
// (HttpOnly, SameSite=Strict cookie). Without either a page answers 401 with
// the login form. Every form carries a CSRF token (the session's, or for Basic
// callers an HMAC of the credentials); every answer carries a
// Content-Security-Policy that allows no inline script and X-Frame-Options:
// DENY. Thread-safe: holds no mutable state.

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "lib/auth/basic_auth.h"
#include "lib/http/server.h"
#include "lokahid/console/console_queries.h"
#include "lokahid/console/console_sessions.h"
#include "lokahid/service/alerts_api.h"
#include "lokahid/service/checks_api.h"

namespace lokahi::lokahid {

inline constexpr std::string_view kConsoleSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' "
    "data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri "
    "'none'";

// Adds the console's security headers (CSP, X-Frame-Options, nosniff, no-store)
// to `response`.
void AddConsoleSecurityHeaders(http::Response& response);

class ConsoleHandler {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  // All must outlive the handler. `credentials` are USERPASS's (unset: the
  // console is open).
  ConsoleHandler(ChecksApi& api, AlertsApi& alerts, PgConsoleQueries& queries,
                 PgConsoleSessions& sessions, std::optional<auth::Credentials> credentials,
                 Clock clock);

  // The answer to a console route, or nullopt when `request` names none (the
  // caller tries its other routes). `client_address` is the caller's as the
  // front determined it.
  std::optional<http::Response> Handle(const http::Request& request,
                                       const std::string& client_address) const;

  // True for the paths this handler serves.
  static bool Serves(std::string_view path);

 private:
  struct Visitor;
  http::Response Route(const http::Request& request, Visitor& visitor) const;

  http::Response RouteAlerts(const http::Request& request, Visitor& visitor) const;

  ChecksApi& api_;
  AlertsApi& alerts_;
  PgConsoleQueries& queries_;
  PgConsoleSessions& sessions_;
  std::optional<auth::Credentials> credentials_;
  std::string csrf_key_;  // keys the CSRF tokens of callers without a session
  Clock clock_;
};

}  // namespace lokahi::lokahid
