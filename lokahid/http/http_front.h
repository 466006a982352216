#pragma once
// lokahid's HTTP/1.1 side as one lib/http handler: the Twirp routes and purple's POST /events,
// with the caller's address taken from the connection (or from X-Forwarded-For when a trusted proxy
// sent the request), and the pages (console, status page) for other paths outside /twirp/. Twirp
// and /events answers say Cache-Control: no-store: API answers are never to be cached; pages set
// their own.

#include <functional>
#include <optional>
#include <string>

#include "lib/http/server.h"
#include "lokahid/front/client_address.h"
#include "lokahid/http/events_handler.h"
#include "lokahid/http/twirp_handler.h"
#include "lokahid/lokahid_metrics.h"

namespace lokahi::lokahid {

// The answer to a page route, or nullopt when the path is not one of its routes.
using PageRoutes = std::function<std::optional<http::Response>(const http::Request& request,
                                                               const std::string& client_address)>;

class HttpFront {
 public:
  // All must outlive the front. `pages` (may be empty) serve paths outside /twirp/. Each Twirp
  // call is counted and timed in `metrics` (transport "twirp"; POST /events as transport "http",
  // method "/events") when given. Without `events`,
  // POST /events goes to the pages, or is a Twirp bad_route.
  HttpFront(const TwirpHandler& twirp, const TrustedProxies& proxies, PageRoutes pages = {},
            ApiCallMetrics* metrics = nullptr, const EventsHandler* events = nullptr)
      : twirp_(twirp),
        proxies_(proxies),
        pages_(std::move(pages)),
        metrics_(metrics),
        events_(events) {}

  http::Response Handle(const http::Request& request) const;

 private:
  const TwirpHandler& twirp_;
  const TrustedProxies& proxies_;
  PageRoutes pages_;
  ApiCallMetrics* metrics_;
  const EventsHandler* events_;
};

}  // namespace lokahi::lokahid
