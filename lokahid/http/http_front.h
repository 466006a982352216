#pragma once
// lokahid's HTTP/1.1 side as one lib/http handler: the Twirp routes, with the caller's address
// taken from the connection (or from X-Forwarded-For when a trusted proxy sent the request).
// Every answer says Cache-Control: no-store: API answers are never to be cached.

#include "lib/http/server.h"
#include "lokahid/front/client_address.h"
#include "lokahid/http/twirp_handler.h"

namespace lokahi::lokahid {

class HttpFront {
 public:
  // Both must outlive the front.
  HttpFront(const TwirpHandler& twirp, const TrustedProxies& proxies)
      : twirp_(twirp), proxies_(proxies) {}

  http::Response Handle(const http::Request& request) const;

 private:
  const TwirpHandler& twirp_;
  const TrustedProxies& proxies_;
};

}  // namespace lokahi::lokahid
