#pragma once
// The public status page on lokahid's HTTP side, without credentials: /status and
// /status/<slug> (HTML), /status.json and /status/<slug>.json, and /badge/<id>.svg (404 for a
// check no label publishes). Answers carry an ETag and Cache-Control: public, max-age=30 and are
// kept for 5 s in memory, so a page linked from a busy incident channel costs one set of queries
// per 5 s. Thread-safe.

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "lib/http/server.h"
#include "lokahid/status_page/status_page.h"

namespace lokahi::lokahid {

// `text` as a JSON string literal, quotes included; '<' '>' '&' as \u escapes so the text is
// inert inside HTML too; bytes from 0x80 up are copied as they are.
std::string JsonString(std::string_view text);

std::string StatusPageHtml(const StatusPageData& page);
std::string StatusPageJson(const StatusPageData& page);
// A shields-style badge: "<label> | <value>" with the state's colour.
std::string BadgeSvg(const PublicCheck& check, bool uptime);

class StatusPageHandler {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  // `queries` must outlive the handler.
  StatusPageHandler(PgStatusPageQueries& queries, Clock clock, std::chrono::seconds keep_for);

  // nullopt when `request` is not for one of its routes.
  std::optional<http::Response> Handle(const http::Request& request);

 private:
  struct Kept {
    std::chrono::steady_clock::time_point until;
    http::Response response;
  };
  http::Response Build(const http::Request& request);

  PgStatusPageQueries& queries_;
  Clock clock_;
  std::chrono::seconds keep_for_;
  std::mutex mutex_;
  std::map<std::string, Kept> kept_;  // by path; guarded by mutex_
};

}  // namespace lokahi::lokahid
