#include "lokahid/http/http_front.h"

#include <chrono>
#include <string_view>

namespace lokahi::lokahid {
namespace {

// An /events answer's HTTP status in the words lokahi_api_calls_total uses for every transport.
std::string_view EventsCodeName(int status) {
  switch (status) {
    case 200:
      return "ok";
    case 400:
      return "invalid_argument";
    case 401:
      return "unauthenticated";
    case 403:
      return "permission_denied";
    case 405:
      return "bad_route";
    case 429:
      return "resource_exhausted";
    case 503:
      return "unavailable";
    default:
      return "internal";
  }
}

}  // namespace

http::Response HttpFront::Handle(const http::Request& request) const {
  const std::string client_address =
      proxies_.ClientAddress({request.peer_address, request.peer_port},
                             request.headers.Get("X-Forwarded-For").value_or(""));
  if (events_ && request.path == kEventsPath) {
    EventsRequest events;
    events.method = request.method;
    if (const auto authorization = request.headers.Get("Authorization")) {
      events.authorization.emplace(*authorization);
    }
    events.client_address = client_address;
    events.body = request.body;
    const auto start = std::chrono::steady_clock::now();
    auto answer = events_->Handle(events);
    if (metrics_) {
      metrics_->Record(ApiTransport::kHttp, kEventsPath, EventsCodeName(answer.status),
                       std::chrono::steady_clock::now() - start);
    }
    http::Response response;
    response.status = answer.status;
    response.headers.Set("Content-Type", "application/json");
    response.headers.Set("Cache-Control", "no-store");
    if (answer.status == 405) response.headers.Set("Allow", "POST");
    if (answer.ask_for_credentials) {
      response.headers.Set("WWW-Authenticate", "Basic realm=\"lokahi\"");
    }
    response.body = std::move(answer.body);
    return response;
  }
  if (pages_ && !request.path.starts_with(kTwirpPrefix)) {
    if (auto page = pages_(request, client_address)) return std::move(*page);
  }
  TwirpRequest twirp;
  twirp.method = request.method;
  twirp.path = request.path;
  twirp.content_type = request.headers.Get("Content-Type").value_or("");
  if (const auto authorization = request.headers.Get("Authorization")) {
    twirp.authorization.emplace(*authorization);
  }
  twirp.client_address = client_address;
  twirp.body = request.body;
  const auto start = std::chrono::steady_clock::now();
  auto answer = twirp_.Handle(twirp);
  if (metrics_) {
    // A bad route names no method of ours: counted as "other", never under the caller's path.
    const std::string_view method =
        answer.code == "bad_route" ? std::string_view("other")
                                   : std::string_view(request.path).substr(kTwirpPrefix.size());
    metrics_->Record(ApiTransport::kTwirp, method, answer.code,
                     std::chrono::steady_clock::now() - start);
  }

  http::Response response;
  response.status = answer.status;
  response.headers.Set("Content-Type", std::move(answer.content_type));
  response.headers.Set("Cache-Control", "no-store");
  response.body = std::move(answer.body);
  return response;
}

}  // namespace lokahi::lokahid
