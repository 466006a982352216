#pragma once
// lokahi's API over Twirp (HTTP/1.1 POST /twirp/<package>.<Service>/<Method>, protobuf or JSON
// by Content-Type): routes every method of github.xe.lokahi.Checks and of lokahi's admin
// github.xe.lokahi.admin.RunLocal to ChecksApi, of github.xe.lokahi.Alerts to AlertsApi and of
// github.xe.lokahi.Maintenance to MaintenanceApi, and answers errors as Twirp error JSON with
// Twirp's HTTP statuses, mapped from the same ApiStatus a gRPC caller gets. No logic beyond
// decoding and encoding: a pure function of the request, independent of the HTTP server.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "lokahid/service/alerts_api.h"
#include "lokahid/service/checks_api.h"
#include "lokahid/service/maintenance_api.h"

namespace lokahi::lokahid {

inline constexpr std::string_view kTwirpPrefix = "/twirp/";

struct TwirpRequest {
  std::string_view method;        // "POST"
  std::string_view path;          // "/twirp/github.xe.lokahi.Checks/List", no query string
  std::string_view content_type;  // "application/json; charset=utf-8"
  std::optional<std::string> authorization;
  std::string client_address;
  std::string_view body;
};

struct TwirpResponse {
  int status = 200;
  std::string content_type;  // of the answer: the request's encoding, or JSON for errors
  std::string body;
  // The Twirp error code of an error answer ("not_found", "bad_route"); "ok" for a success.
  std::string code = "ok";
};

enum class TwirpEncoding { kProtobuf, kJson };

// The encoding a Content-Type names ("; charset=…" and case allowed); nullopt for any other.
std::optional<TwirpEncoding> TwirpEncodingOf(std::string_view content_type);
// {"code":"not_found","msg":"…"} with the status's HTTP code.
TwirpResponse TwirpErrorResponse(std::string_view code, int http_status, std::string_view msg);
TwirpResponse TwirpErrorResponse(const ApiStatus& status);

class TwirpHandler {
 public:
  // The APIs must outlive the handler. Without `alerts`, the Alerts routes are bad_route.
  explicit TwirpHandler(ChecksApi& api, AlertsApi* alerts = nullptr);
  // Adds github.xe.lokahi.Maintenance's routes; `api` must outlive the handler. Not thread-safe:
  // call before the first Handle.
  void AddMaintenance(MaintenanceApi& api);

  TwirpResponse Handle(const TwirpRequest& request) const;

 private:
  using Route = std::function<TwirpResponse(const Caller&, TwirpEncoding, std::string_view body)>;
  std::map<std::string, Route, std::less<>> routes_;  // by full path
};

}  // namespace lokahi::lokahid
