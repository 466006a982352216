#include "lokahid/status_page/status_page_handler.h"

#include <cstdio>

#include "lib/http/content_encoding.h"
#include "lokahid/console/console_handler.h"
#include "lokahid/console/console_pages.h"
#include "lokahid/console/console_sessions.h"
#include "lokahid/console/html.h"

namespace lokahi::lokahid {

namespace {

constexpr size_t kMaxKept = 256;

std::string Percent(const PublicUptime& uptime) {
  if (uptime.probes == 0) return "no data";
  char text[32];
  std::snprintf(text, sizeof text, "%.2f %%", uptime.ratio * 100.0);
  return text;
}

std::string PercentNumber(const PublicUptime& uptime) {
  if (uptime.probes == 0) return "null";
  char text[32];
  std::snprintf(text, sizeof text, "%.6f", uptime.ratio);
  return text;
}

std::string_view PublicStateText(checks::State state) {
  switch (state) {
    case checks::State::kUp:
      return "Operational";
    case checks::State::kDown:
      return "Down";
    case checks::State::kError:
      return "Unreachable";
    case checks::State::kInit:
      break;
  }
  return "Pending";
}

bool Failing(checks::State state) {
  return state == checks::State::kDown || state == checks::State::kError;
}

http::Response NotFound() {
  http::Response response;
  response.status = 404;
  response.headers.Set("Content-Type", "text/plain; charset=utf-8");
  response.body = "not found\n";
  AddConsoleSecurityHeaders(response);
  return response;
}

}  // namespace

std::string JsonString(std::string_view text) {
  std::string out = "\"";
  for (const unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '<':
        out += "\\u003c";
        break;
      case '>':
        out += "\\u003e";
        break;
      case '&':
        out += "\\u0026";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
          out += escaped;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string StatusPageHtml(const StatusPageData& page) {
  Html h;
  h << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>";
  if (page.slug.empty()) {
    h << "Status";
  } else {
    h.Text(page.slug) << " status";
  }
  h << "</title><link rel=\"stylesheet\" href=\"/assets/console.css\"></head><body><main "
       "class=\"status-board\"><h1>";
  if (page.slug.empty()) {
    h << "Status";
  } else {
    h.Text(page.slug) << " status";
  }
  h << "</h1><p class=\"banner ";
  switch (page.banner) {
    case Banner::kOperational:
      h << "banner-ok";
      break;
    case Banner::kPartialOutage:
      h << "banner-partial";
      break;
    case Banner::kMajorOutage:
      h << "banner-major";
      break;
    case Banner::kNoChecks:
      h << "banner-none";
      break;
  }
  h << "\" data-banner=\"";
  h.Text(BannerKey(page.banner)) << "\">";
  h.Text(BannerText(page.banner)) << "</p>";

  h << "<section class=\"incidents\"><h2>Current incidents</h2>";
  bool any = false;
  for (const auto& c : page.checks) {
    if (!Failing(c.state)) continue;
    if (!any) h << "<ul>";
    any = true;
    h << "<li data-check=\"";
    h.Text(c.id) << "\"><strong>";
    h.Text(c.name) << "</strong> is ";
    h.Text(PublicStateText(c.state)) << " since ";
    h.Text(FormatUtc(c.since_unix_s)) << " (for ";
    h.Text(FormatDuration(page.generated_unix_s - c.since_unix_s)) << ")</li>";
  }
  h << (any ? Markup("</ul>") : Markup("<p class=\"calm\">None.</p>")) << "</section>";

  for (const auto& c : page.checks) {
    h << "<section class=\"status-check\" data-check=\"";
    h.Text(c.id) << "\"><header><h2>";
    h.Text(c.name) << "</h2><span class=\"" << StateClass(c.state) << "\">";
    h.Text(PublicStateText(c.state)) << "</span></header>";
    h.Append(CompactDailyBars(c.days, kStatusPageDays));
    h << "<p class=\"uptimes\"><span>24 h: ";
    h.Text(Percent(c.uptime_24h)) << "</span><span>7 d: ";
    h.Text(Percent(c.uptime_7d)) << "</span><span>30 d: ";
    h.Text(Percent(c.uptime_30d)) << "</span><span>90 d: ";
    h.Text(Percent(c.uptime_90d)) << "</span></p></section>";
  }
  h << "<p class=\"updated\">Updated ";
  h.Text(FormatUtc(page.generated_unix_s)) << ". Also as <a href=\"";
  h.Text(page.slug.empty() ? "/status.json" : "/status/" + page.slug + ".json")
      << "\">JSON</a>.</p></main></body></html>\n";
  return h.Take();
}

std::string StatusPageJson(const StatusPageData& page) {
  const auto labels = DayLabels(page.generated_unix_s, kStatusPageDays);
  std::string out = "{\"banner\":" + JsonString(BannerKey(page.banner)) +
                    ",\"banner_text\":" + JsonString(BannerText(page.banner)) +
                    ",\"generated_at\":" + JsonString(FormatUtc(page.generated_unix_s)) +
                    ",\"checks\":[";
  for (size_t i = 0; i < page.checks.size(); ++i) {
    const auto& c = page.checks[i];
    if (i) out += ',';
    out += "{\"id\":" + JsonString(c.id) + ",\"name\":" + JsonString(c.name) +
           ",\"state\":" + JsonString(checks::StateName(c.state)) +
           ",\"since\":" + (c.since_unix_s > 0 ? JsonString(FormatUtc(c.since_unix_s)) : "null") +
           ",\"uptime\":{\"24h\":" + PercentNumber(c.uptime_24h) +
           ",\"7d\":" + PercentNumber(c.uptime_7d) + ",\"30d\":" + PercentNumber(c.uptime_30d) +
           ",\"90d\":" + PercentNumber(c.uptime_90d) + "},\"days\":[";
    for (size_t d = 0; d < c.days.size(); ++d) {
      if (d) out += ',';
      const int index = kStatusPageDays - 1 - c.days[d].age;
      out += "{\"day\":" + JsonString(index >= 0 ? labels[index] : c.days[d].day) +
             ",\"probes\":" + std::to_string(c.days[d].probes) +
             ",\"up\":" + std::to_string(c.days[d].up) + "}";
    }
    out += "]}";
  }
  out += "],\"incidents\":[";
  bool first = true;
  for (const auto& c : page.checks) {
    if (!Failing(c.state)) continue;
    if (!first) out += ',';
    first = false;
    out += "{\"id\":" + JsonString(c.id) + ",\"name\":" + JsonString(c.name) +
           ",\"state\":" + JsonString(checks::StateName(c.state)) +
           ",\"since\":" + JsonString(FormatUtc(c.since_unix_s)) + "}";
  }
  return out + "]}\n";
}

std::string BadgeSvg(const PublicCheck& check, bool uptime) {
  const std::string label = uptime ? "uptime 30d" : "status";
  std::string value;
  Markup colour = "#737373";
  if (uptime) {
    value = Percent(check.uptime_30d);
    if (check.uptime_30d.probes > 0) {
      colour = check.uptime_30d.ratio >= 0.999  ? Markup("#16a34a")
               : check.uptime_30d.ratio >= 0.95 ? Markup("#ca8a04")
                                                : Markup("#dc2626");
    }
  } else {
    value = std::string(checks::StateName(check.state));
    if (check.state == checks::State::kUp) colour = "#16a34a";
    if (Failing(check.state)) colour = "#dc2626";
  }
  const int left = 10 + 7 * static_cast<int>(label.size());
  const int right = 10 + 7 * static_cast<int>(value.size());
  Html h;
  h << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"";
  h.Text(left + right) << "\" height=\"20\" role=\"img\" aria-label=\"";
  h.Text(check.name + " " + label + ": " + value) << "\"><title>";
  h.Text(check.name + " " + label + ": " + value) << "</title><rect width=\"";
  h.Text(left) << "\" height=\"20\" fill=\"#555\"/><rect x=\"";
  h.Text(left) << "\" width=\"";
  h.Text(right) << "\" height=\"20\" fill=\"" << colour
                << "\"/><g fill=\"#fff\" font-family=\"Verdana,sans-serif\" font-size=\"11\">"
                   "<text x=\"5\" y=\"14\">";
  h.Text(label) << "</text><text x=\"";
  h.Text(left + 5) << "\" y=\"14\">";
  h.Text(value) << "</text></g></svg>\n";
  return h.Take();
}

StatusPageHandler::StatusPageHandler(PgStatusPageQueries& queries, Clock clock,
                                     std::chrono::seconds keep_for)
    : queries_(queries), clock_(std::move(clock)), keep_for_(keep_for) {}

std::optional<http::Response> StatusPageHandler::Handle(const http::Request& request) {
  const std::string_view path = request.path;
  if (path != "/status" && path != "/status.json" && !path.starts_with("/status/") &&
      !path.starts_with("/badge/")) {
    return std::nullopt;
  }
  if (request.method != "GET" && request.method != "HEAD") {
    auto response = NotFound();
    response.status = 405;
    response.headers.Set("Allow", "GET, HEAD");
    return response;
  }
  const auto now = std::chrono::steady_clock::now();
  // Kept by path, the one query the routes read (so made-up query strings cannot bypass it) and
  // whether the client takes gzip: a rebuild compresses once for every client of the 5 s.
  const bool gzip = http::AcceptsGzip(request.headers.Get("Accept-Encoding").value_or(""));
  const std::string key =
      request.path + (request.query == "metric=uptime" ? "?uptime" : "") + (gzip ? " gzip" : "");
  http::Response response;
  bool found = false;
  {
    std::lock_guard lock(mutex_);
    if (const auto kept = kept_.find(key); kept != kept_.end() && kept->second.until > now) {
      response = kept->second.response;
      found = true;
    }
  }
  if (!found) {
    response = Build(request);
    http::CompressForClient(request, response);
    if (response.status == 200) {
      std::lock_guard lock(mutex_);
      if (kept_.size() >= kMaxKept) kept_.clear();
      kept_[key] = {now + keep_for_, response};
    }
  }
  if (response.status == 200) {
    if (const auto match = request.headers.Get("If-None-Match");
        match && *match == response.headers.Get("ETag").value_or("")) {
      response.status = 304;
      response.body.clear();
    }
  }
  return response;
}

http::Response StatusPageHandler::Build(const http::Request& request) {
  const std::string_view path = request.path;
  const int64_t now_unix_s =
      std::chrono::duration_cast<std::chrono::seconds>(clock_().time_since_epoch()).count();
  http::Response response;
  if (path.starts_with("/badge/")) {
    std::string_view id = path.substr(7);
    if (!id.ends_with(".svg")) return NotFound();
    id.remove_suffix(4);
    const auto check = queries_.PublicCheckById(std::string(id), now_unix_s);
    if (!check) return NotFound();
    response.headers.Set("Content-Type", "image/svg+xml");
    response.body = BadgeSvg(*check, request.query == "metric=uptime");
  } else {
    std::string_view rest = path.substr(std::string_view("/status").size());
    const bool json = rest.ends_with(".json");
    if (json) rest.remove_suffix(5);
    std::string slug;
    if (!rest.empty()) {
      if (rest.front() != '/') return NotFound();
      const auto parsed = ParseSlug(rest.substr(1));
      if (!parsed) return NotFound();
      slug = *parsed;
    }
    const auto page = queries_.Page(slug, now_unix_s);
    if (json) {
      response.headers.Set("Content-Type", "application/json");
      response.body = StatusPageJson(page);
    } else {
      response.headers.Set("Content-Type", "text/html; charset=utf-8");
      response.body = StatusPageHtml(page);
    }
  }
  response.headers.Set("Cache-Control", "public, max-age=30");
  response.headers.Set("ETag", "\"" + Sha256Hex(response.body).substr(0, 32) + "\"");
  AddConsoleSecurityHeaders(response);
  return response;
}

}  // namespace lokahi::lokahid
