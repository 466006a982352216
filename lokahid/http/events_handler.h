#pragma once
// purple's submission route: POST /events with a JSON object or an array of at most 10,000 of
// them (fields id, source, subject, detail, raise, importance, webhook_url, webhook_format,
// suppress_until; raise and suppress_until may be strings or Unix times as numbers; unknown fields
// are ignored). Every item is checked before anything is stored: one bad item refuses the whole
// request with 400 and {"error": "...", "index": N, "field": "raise"}, and nothing is stored. The
// answer to a stored request is 200 with {"alerts": [{"source", "id", "state", "raise_at"}...]}:
// each alert as stored, in order (fields named as in the Alert JSON mapping). Decoding only;
// AlertsApi::SubmitBatch decides.

#include <optional>
#include <string>
#include <string_view>

#include "lokahid/service/alerts_api.h"

namespace lokahi::lokahid {

inline constexpr std::string_view kEventsPath = "/events";
inline constexpr size_t kDefaultEventsMaxBody = 16u << 20;

struct EventsRequest {
  std::string_view method;
  std::optional<std::string> authorization;
  std::string client_address;
  std::string_view body;
};

struct EventsResponse {
  int status = 200;
  std::string body;                  // JSON
  bool ask_for_credentials = false;  // 401: send WWW-Authenticate
};

class EventsHandler {
 public:
  // `api` must outlive the handler.
  explicit EventsHandler(AlertsApi& api) : api_(api) {}
  EventsResponse Handle(const EventsRequest& request) const;

 private:
  AlertsApi& api_;
};

}  // namespace lokahi::lokahid
