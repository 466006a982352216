#include "lokahid/console/console_pages.h"

#include <cmath>
#include <cstdio>
#include <ctime>

#include "lib/checks/check.h"
#include "lokahid/console/alerts_page.h"

namespace lokahi::lokahid {

namespace pb = github::xe::lokahi;

namespace {

std::string_view StateText(int state) {
  return checks::StateName(static_cast<checks::State>(state));
}

void StateBadge(Html& h, int state) {
  h << "<span class=\"" << StateClass(static_cast<checks::State>(state)) << "\">";
  h.Text(StateText(state)) << "</span>";
}

std::string Percent(double ratio) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f %%", ratio * 100.0);
  return text;
}

std::string Millis(double nanoseconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f ms", nanoseconds / 1e6);
  return text;
}

void CsrfField(Html& h, const PageContext& context) {
  h << "<input type=\"hidden\" name=\"csrf\" value=\"";
  h.Text(context.csrf) << "\">";
}

void Since(Html& h, int64_t since, int64_t now) {
  if (since <= 0) return;
  h << "<time datetime=\"";
  h.Text(FormatUtc(since)) << "\">since ";
  h.Text(FormatUtc(since)) << "</time> <span class=\"for\">(for ";
  h.Text(FormatDuration(now - since)) << ")</span>";
}

std::string DayOf(int64_t unix_s) {
  const time_t t = static_cast<time_t>(unix_s);
  tm utc{};
  gmtime_r(&t, &utc);
  char text[16];
  std::strftime(text, sizeof text, "%Y-%m-%d", &utc);
  return text;
}

}  // namespace

std::string LabelsText(const google::protobuf::Map<std::string, std::string>& labels) {
  const std::map<std::string, std::string> sorted(labels.begin(), labels.end());
  std::string text;
  for (const auto& [key, value] : sorted) {
    if (!text.empty()) text += ", ";
    text += key + "=" + value;
  }
  return text;
}

std::string FormatUtc(int64_t unix_s) {
  const time_t t = static_cast<time_t>(unix_s);
  tm utc{};
  gmtime_r(&t, &utc);
  char text[40];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &utc);
  return text;
}

std::string FormatDuration(int64_t seconds) {
  if (seconds < 0) seconds = 0;
  const int64_t d = seconds / 86400, h = seconds % 86400 / 3600, m = seconds % 3600 / 60,
                s = seconds % 60;
  if (d > 0) return std::to_string(d) + "d " + std::to_string(h) + "h";
  if (h > 0) return std::to_string(h) + "h " + std::to_string(m) + "m";
  if (m > 0) return std::to_string(m) + "m " + std::to_string(s) + "s";
  return std::to_string(s) + "s";
}

std::string ConsolePage(std::string_view title, const Html& body, const PageContext& context) {
  Html h;
  h << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
       "<meta name=\"viewport\" content=\"width=device-width, "
       "initial-scale=1\">"
       "<meta name=\"htmx-config\" content='{\"includeIndicatorStyles\":false,"
       "\"allowEval\":false,\"allowScriptTags\":false}'>"
       "<title>";
  h.Text(title) << " · lokahi</title>"
                   "<link rel=\"stylesheet\" href=\"/assets/console.css\">"
                   "<link rel=\"stylesheet\" href=\"/assets/uPlot.min.css\">"
                   "<script src=\"/assets/htmx.min.js\" defer></script>"
                   "<script src=\"/assets/uPlot.iife.min.js\" defer></script>"
                   "<script src=\"/assets/console.js\" defer></script>"
                   "</head><body><header><nav><a class=\"brand\" href=\"/\">lokahi</a>"
                   "<a href=\"/\">Overview</a><a href=\"/checks\">Checks</a>"
                   "<a href=\"/checks/new\">New check</a><a href=\"/alerts\">Alerts</a>"
                   "<a href=\"/status\">Status page</a>";
  if (context.session) {
    h << "<form method=\"post\" action=\"/logout\" class=\"logout\">";
    CsrfField(h, context);
    h << "<button type=\"submit\">Log out</button></form>";
  }
  h << "</nav></header><main>";
  h.Append(body);
  h << "</main></body></html>\n";
  return h.Take();
}

std::string LoginPage(std::string_view message) {
  Html h;
  h << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
       "charset=\"utf-8\"><title>Log in · lokahi"
       "</title><link rel=\"stylesheet\" "
       "href=\"/assets/console.css\"></head><body>"
       "<main class=\"login\"><h1>lokahi</h1>";
  if (!message.empty()) {
    h << "<p class=\"error\" role=\"alert\">";
    h.Text(message) << "</p>";
  }
  h << "<form method=\"post\" action=\"/login\">"
       "<label>User <input name=\"user\" autocomplete=\"username\" "
       "required></label>"
       "<label>Password <input name=\"password\" type=\"password\" "
       "autocomplete=\"current-password\" required></label>"
       "<button type=\"submit\">Log in</button></form></main></body></html>\n";
  return h.Take();
}

Html OverviewLive(const OverviewData& data, int64_t now) {
  Html h;
  h << "<section id=\"live\" hx-get=\"/overview/live\" hx-trigger=\"every 2s\" "
       "hx-swap=\"outerHTML\"><ul class=\"counts\">";
  const std::pair<int, int64_t> counts[] = {
      {2, data.counts.down}, {3, data.counts.error}, {1, data.counts.up}, {0, data.counts.init}};
  for (const auto& [state, n] : counts) {
    h << "<li class=\"" << StateClass(static_cast<checks::State>(state)) << "\" data-state=\"";
    h.Text(StateText(state)) << "\"><span class=\"n\">";
    h.Text(n) << "</span> ";
    h.Text(StateText(state)) << "</li>";
  }
  h << "<li class=\"total\"><span class=\"n\">";
  h.Text(data.counts.total()) << "</span> checks</li></ul>";
  h << "<h2>Failing now</h2>";
  if (data.failing.empty()) {
    h << "<p class=\"calm\">Nothing is failing.</p>";
  } else {
    h << "<table "
         "class=\"failing\"><thead><tr><th>State</th><th>Check</th><th>Since</"
         "th></tr>"
         "</thead><tbody>";
    for (const auto& f : data.failing) {
      h << "<tr data-check=\"";
      h.Text(f.id) << "\"><td>";
      StateBadge(h, static_cast<int>(f.state));
      h << "</td><td><a href=\"/checks/";
      h.Text(f.id) << "\">";
      h.Text(f.url) << "</a>";
      if (f.paused) h << " <span class=\"paused\">paused</span>";
      if (!f.labels.empty()) {
        h << " <small class=\"labels\">";
        h.Text(f.labels) << "</small>";
      }
      h << "</td><td>";
      Since(h, f.since_unix_s, now);
      h << "</td></tr>";
    }
    h << "</tbody></table>";
  }
  h.Append(RaisedAlertsSummary(data.raised_alerts, now));
  h << "<h2>Recent changes</h2>";
  if (data.recent.empty()) {
    h << "<p class=\"calm\">No check has changed state yet.</p>";
  } else {
    h << "<table "
         "class=\"recent\"><thead><tr><th>When</th><th>Check</th><th>Change</"
         "th></tr>"
         "</thead><tbody>";
    for (const auto& t : data.recent) {
      h << "<tr data-check=\"";
      h.Text(t.check_id) << "\"><td>";
      h.Text(FormatUtc(t.at_unix_s)) << "</td><td><a href=\"/checks/";
      h.Text(t.check_id) << "\">";
      h.Text(t.url) << "</a></td><td>";
      StateBadge(h, static_cast<int>(t.from));
      h << " → ";
      StateBadge(h, static_cast<int>(t.to));
      h << "</td></tr>";
    }
    h << "</tbody></table>";
  }
  h << "<p class=\"updated\">Updated ";
  h.Text(FormatUtc(now)) << "</p></section>";
  return h;
}

Html OverviewBody(const OverviewData& data, int64_t now) {
  Html h;
  h << "<noscript><p class=\"hint\">Reload to refresh (scripts are "
       "off).</p></noscript>"
       "<h1>Overview</h1>";
  h.Append(OverviewLive(data, now));
  return h;
}

std::string ChecksListQuery::Href(const std::string& page_token) const {
  std::string href = "/checks?";
  const std::pair<const char*, const std::string*> fields[] = {{"q", &search},
                                                               {"state", &state},
                                                               {"selector", &selector},
                                                               {"sort", &sort},
                                                               {"after", &page_token}};
  for (const auto& [name, value] : fields) {
    if (value->empty()) continue;
    if (href.back() != '?') href += '&';
    href += std::string(name) + "=" + UrlEncode(*value);
  }
  if (href.back() == '?') href.pop_back();
  return href;
}

Html ChecksListBody(const pb::ChecksPage& page, const ChecksListQuery& query,
                    std::string_view problem) {
  Html h;
  h << "<h1>Checks</h1>";
  // A GET form: the filters live in the URL, so a filtered list can be linked and reloaded.
  h << "<form class=\"filters\" method=\"get\" action=\"/checks\" role=\"search\">"
       "<label>Search <input type=\"search\" name=\"q\" placeholder=\"name or URL\" value=\"";
  h.Text(query.search) << "\"></label> <label>State <select name=\"state\">";
  struct Choice {
    Markup value, text;
  };
  const Choice states[] = {
      {"", "any"}, {"UP", "UP"}, {"DOWN", "DOWN"}, {"ERROR", "ERROR"}, {"INIT", "INIT"}};
  for (const auto& [value, text] : states) {
    h << "<option value=\"" << value << "\"";
    if (query.state == value.view()) h << " selected";
    h << ">" << text << "</option>";
  }
  h << "</select></label> <label>Labels <input type=\"text\" name=\"selector\""
       " placeholder=\"team=payments,env!=dev\" value=\"";
  h.Text(query.selector) << "\"></label> <label>Sort <select name=\"sort\">";
  const Choice sorts[] = {{"", "created"},
                          {"name", "name"},
                          {"state", "state, failing first"},
                          {"since", "latest change first"}};
  for (const auto& [value, text] : sorts) {
    h << "<option value=\"" << value << "\"";
    if (query.sort == value.view()) h << " selected";
    h << ">" << text << "</option>";
  }
  h << "</select></label> <button type=\"submit\">Filter</button>";
  if (!query.search.empty() || !query.state.empty() || !query.selector.empty() ||
      !query.sort.empty()) {
    h << " <a href=\"/checks\">Clear</a>";
  }
  h << "</form>";
  if (!problem.empty()) {
    h << "<p class=\"field-error\" role=\"alert\">";
    h.Text(problem) << "</p>";
    return h;
  }
  h << "<p class=\"total\">";
  h.Text(page.total()) << " checks stored</p>";
  h << "<table class=\"checks\"><thead><tr><th>State</th><th>Name</th><th>Labels</th>"
       "<th>Every</th><th>Since</th></tr></thead><tbody>";
  for (const auto& result : page.results()) {
    const auto& c = result.check();
    h << "<tr data-check=\"";
    h.Text(c.id()) << "\"><td>";
    StateBadge(h, c.state());
    if (c.has_enabled() && !c.enabled()) h << " <span class=\"paused\">paused</span>";
    h << "</td><td><a href=\"/checks/";
    h.Text(c.id()) << "\">";
    h.Text(c.name().empty() ? c.url() : c.name()) << "</a>";
    if (!c.name().empty()) {
      h << " <small>";
      h.Text(c.url()) << "</small>";
    }
    h << "</td><td class=\"labels\">";
    h.Text(LabelsText(c.labels())) << "</td><td>";
    h.Text(c.every()) << " s</td><td>";
    if (c.has_state_changed_at()) h.Text(FormatUtc(c.state_changed_at().seconds()));
    h << "</td></tr>";
  }
  if (page.results().empty()) h << "<tr><td colspan=\"5\">No check matches.</td></tr>";
  h << "</tbody></table><nav class=\"pages\">";
  if (!query.after.empty()) {
    h << "<a href=\"";
    h.Text(query.Href("")) << "\">First page</a> ";
  }
  if (!page.next_page_token().empty()) {
    h << "<a rel=\"next\" href=\"";
    h.Text(query.Href(page.next_page_token())) << "\">Next page</a>";
  }
  h << "</nav>";
  return h;
}

Html CompactDailyBars(const std::vector<DayUptime>& days, int count) {
  std::vector<const DayUptime*> by_age(count, nullptr);
  for (const auto& d : days) {
    if (d.age >= 0 && d.age < count) by_age[d.age] = &d;
  }
  // Paths of "M<x> 0h6v34h-6z" per colour: none, up, partial, down.
  // Built as markup (numbers only), not escaped text: escaping 1,000 checks' paths byte by
  // byte was most of the status page's rendering time.
  Html paths[4];
  int counts[4] = {0, 0, 0, 0};
  for (int i = 0; i < count; ++i) {
    const DayUptime* day = by_age[count - 1 - i];
    int kind = 0;
    if (day != nullptr && day->probes > 0) {
      const double ratio = static_cast<double>(day->up) / static_cast<double>(day->probes);
      kind = ratio >= 0.999 ? 1 : ratio >= 0.95 ? 2 : 3;
    }
    paths[kind] << "M";
    paths[kind].Text(i * 8) << " 0h6v34h-6z";
    ++counts[kind];
  }
  const Markup classes[4] = {"bar-none", "bar-up", "bar-partial", "bar-down"};
  const Markup meaning[4] = {" days without data", " days up at least 99.9 %",
                             " days up 95 to 99.9 %", " days up less than 95 %"};
  Html h;
  h << "<svg class=\"bars\" role=\"img\" aria-label=\"uptime per day\" viewBox=\"0 0 ";
  h.Text(count * 8) << " 34\" preserveAspectRatio=\"none\">";
  for (int k = 0; k < 4; ++k) {
    if (counts[k] == 0) continue;
    h << "<path class=\"" << classes[k] << "\" d=\"";
    h.Append(paths[k]) << "\"><title>";
    h.Text(counts[k]) << meaning[k] << "</title></path>";
  }
  h << "</svg>";
  return h;
}

std::vector<std::string> DayLabels(int64_t now, int count) {
  std::vector<std::string> labels;
  for (int i = 0; i < count; ++i) {
    labels.push_back(DayOf(now - static_cast<int64_t>(count - 1 - i) * 86400));
  }
  return labels;
}

Html DailyBars(const std::vector<DayUptime>& days, int64_t now, int count) {
  return DailyBars(days, DayLabels(now, count));
}

Html DailyBars(const std::vector<DayUptime>& days, const std::vector<std::string>& labels) {
  const int count = static_cast<int>(labels.size());
  std::vector<const DayUptime*> by_age(count, nullptr);
  for (const auto& d : days) {
    if (d.age >= 0 && d.age < count) by_age[d.age] = &d;
  }
  Html h;
  h << "<svg class=\"bars\" role=\"img\" aria-label=\"uptime per day\" viewBox=\"0 0 ";
  h.Text(count * 8) << " 34\" preserveAspectRatio=\"none\">";
  for (int i = 0; i < count; ++i) {
    const DayUptime* day = by_age[count - 1 - i];
    h << "<rect x=\"";
    h.Text(i * 8) << "\" width=\"6\" height=\"34\" class=\"";
    if (day == nullptr || day->probes == 0) {
      h << "bar-none\"><title>";
      h.Text(labels[i]) << ": no data</title></rect>";
      continue;
    }
    const double ratio = static_cast<double>(day->up) / static_cast<double>(day->probes);
    h << (ratio >= 0.999  ? Markup("bar-up")
          : ratio >= 0.95 ? Markup("bar-partial")
                          : Markup("bar-down"))
      << "\"><title>";
    h.Text(labels[i] + ": " + Percent(ratio) + " up (" + std::to_string(day->up) + " of " +
           std::to_string(day->probes) + " probes)")
        << "</title></rect>";
  }
  h << "</svg>";
  return h;
}

Html CheckPageBody(const CheckPageData& data, const PageContext& context) {
  const auto& status = data.status;
  const auto& c = status.check();
  Html h;
  if (data.notice) {
    h << "<p class=\"notice\" role=\"status\">";
    h.Text(*data.notice) << "</p>";
  }
  h << "<h1 class=\"check-title\">";
  h.Text(c.name().empty() ? c.url() : c.name()) << "</h1>";
  if (!c.name().empty()) {
    h << "<p class=\"check-url\">";
    h.Text(c.url()) << "</p>";
  }
  h << "<p class=\"check-state\">";
  StateBadge(h, c.state());
  if (c.has_enabled() && !c.enabled()) h << " <span class=\"paused\">paused</span>";
  h << " ";
  if (c.has_state_changed_at()) Since(h, c.state_changed_at().seconds(), context.now_unix_s);
  h << "</p>";
  const bool failing = c.state() == pb::Check::DOWN || c.state() == pb::Check::ERROR;
  if (failing) {
    h << "<p class=\"reason\">Last failure: ";
    if (!status.last_probe().error().empty()) {
      h.Text(status.last_probe().error());
    } else {
      h << "HTTP ";
      h.Text(status.resp_status_code());
    }
    h << "</p>";
  }

  h << "<section class=\"actions\"><form method=\"post\" action=\"/checks/";
  h.Text(c.id()) << "/run\">";
  CsrfField(h, context);
  h << "<button type=\"submit\">Run now</button></form>";
  const bool paused = c.has_enabled() && !c.enabled();
  h << "<form method=\"post\" action=\"/checks/";
  h.Text(c.id()) << (paused ? Markup("/resume\">") : Markup("/pause\">"));
  CsrfField(h, context);
  h << (paused ? Markup("<button type=\"submit\">Resume</button>")
               : Markup("<button type=\"submit\">Pause</button>"))
    << "</form><a class=\"button\" href=\"/checks/";
  h.Text(c.id()) << "/edit\">Edit</a><form method=\"post\" action=\"/checks/";
  h.Text(c.id()) << "/delete\" class=\"danger\">";
  CsrfField(h, context);
  h << "<button type=\"submit\">Delete</button></form></section>";

  h << "<section><h2>Uptime</h2><dl class=\"uptime\">";
  struct Window {
    Markup label;
    double ratio;
    int64_t probes;
  };
  const Window windows[] = {{"24 h", status.uptime_24h(), status.uptime_probes_24h()},
                            {"7 d", status.uptime_7d(), status.uptime_probes_7d()},
                            {"30 d", status.uptime_30d(), status.uptime_probes_30d()}};
  for (const auto& [label, ratio, probes] : windows) {
    h << "<div><dt>" << label << "</dt><dd>";
    if (probes == 0) {
      h << "no data";
    } else {
      h.Text(Percent(ratio));
    }
    h << "</dd></div>";
  }
  h << "</dl>";
  h.Append(DailyBars(data.days, context.now_unix_s));
  h << "</section>";

  h << "<section><h2>Response time</h2><p class=\"latency\">Last 24 h: p50 ";
  h.Text(Millis(status.histogram_data().p50_nanoseconds())) << ", p95 ";
  h.Text(Millis(status.histogram_data().p95_nanoseconds())) << ", last ";
  h.Text(Millis(static_cast<double>(status.last_response_time_nanoseconds()))) << "</p>";
  h << "<div class=\"chart-windows\"><button type=\"button\" "
       "data-window=\"24h\" "
       "class=\"chosen\">24 h</button><button type=\"button\" "
       "data-window=\"7d\">7 d</button>"
       "</div><div id=\"latency-chart\" data-src=\"/checks/";
  h.Text(c.id()) << "/series\"></div></section>";

  if (status.last_probe().has_tls_cert_expires_at()) {
    const int64_t expires = status.last_probe().tls_cert_expires_at().seconds();
    h << "<section><h2>TLS certificate</h2><p class=\"tls";
    if (expires - context.now_unix_s < 14 * 86400) h << " soon";
    h << "\">Expires ";
    h.Text(FormatUtc(expires)) << " (in ";
    h.Text(FormatDuration(expires - context.now_unix_s)) << ")</p></section>";
  }

  h << "<section><h2>Transitions and webhook deliveries</h2>";
  if (data.deliveries.empty()) {
    h << "<p class=\"calm\">No transitions yet.</p>";
  } else {
    h << "<table "
         "class=\"transitions\"><thead><tr><th>When</th><th>Change</"
         "th><th>Delivery</th>"
         "<th>Attempts</th><th>Last error</th></tr></thead><tbody>";
    for (const auto& d : data.deliveries) {
      h << "<tr><td>";
      h.Text(FormatUtc(d.transition_at().seconds())) << "</td><td>";
      StateBadge(h, d.from_state());
      h << " → ";
      StateBadge(h, d.to_state());
      h << "</td><td class=\"outcome\">";
      h.Text(d.outcome());
      if (d.last_status_code() != 0) {
        h << " (HTTP ";
        h.Text(d.last_status_code()) << ")";
      }
      h << "</td><td>";
      h.Text(d.attempts()) << "</td><td>";
      h.Text(d.last_error()) << "</td></tr>";
    }
    h << "</tbody></table>";
  }
  h << "</section>";

  h << "<section><h2>Options</h2><dl class=\"options\">";
  const auto option = [&](Markup name, const std::string& value) {
    h << "<div><dt>" << name << "</dt><dd>";
    h.Text(value) << "</dd></div>";
  };
  option("Every", std::to_string(c.every()) + " s");
  option("Timeout", std::to_string(c.timeout_ms()) + " ms");
  option("Expected status",
         c.expected_status() == 0 ? "any 2xx" : std::to_string(c.expected_status()));
  option("Failure / recovery threshold",
         std::to_string(c.failure_threshold()) + " / " + std::to_string(c.recovery_threshold()));
  option("Webhook", c.webhook_url());
  option("Playbook", c.playbook_url());
  option("Webhook secret", c.has_webhook_secret() ? "set" : "none");
  option("Labels", LabelsText(c.labels()));
  h << "</dl></section>";
  return h;
}

const std::vector<std::string>& CheckFormFields() {
  static const std::vector<std::string> kFields = {"name",
                                                   "url",
                                                   "labels",
                                                   "enabled",
                                                   "webhook_url",
                                                   "playbook_url",
                                                   "every",
                                                   "timeout_ms",
                                                   "expected_status",
                                                   "failure_threshold",
                                                   "recovery_threshold",
                                                   "webhook_format",
                                                   "webhook_secret",
                                                   "notify_failure_kind_change"};
  return kFields;
}

FormValues FormValuesOf(const pb::Check& check) {
  return {
      {"name", check.name()},
      {"labels", LabelsText(check.labels())},
      {"enabled", !check.has_enabled() || check.enabled() ? "true" : "false"},
      {"url", check.url()},
      {"webhook_url", check.webhook_url()},
      {"playbook_url", check.playbook_url()},
      {"every", std::to_string(check.every())},
      {"timeout_ms", std::to_string(check.timeout_ms())},
      {"expected_status", std::to_string(check.expected_status())},
      {"failure_threshold", std::to_string(check.failure_threshold())},
      {"recovery_threshold", std::to_string(check.recovery_threshold())},
      {"webhook_format", check.webhook_format() == pb::WEBHOOK_FORMAT_JSON ? "JSON" : "PROTOBUF"},
      {"webhook_secret", ""},
      {"notify_failure_kind_change",
       !check.has_notify_failure_kind_change() || check.notify_failure_kind_change() ? "true"
                                                                                     : "false"}};
}

Html CheckFormBody(const std::string& check_id, const FormValues& values, const FormErrors& errors,
                   const PageContext& context) {
  Html h;
  const auto value = [&](const std::string& name) {
    const auto found = values.find(name);
    return found == values.end() ? std::string() : found->second;
  };
  h << "<h1>" << (check_id.empty() ? Markup("New check") : Markup("Edit check")) << "</h1>";
  if (!errors.general.empty()) {
    h << "<p class=\"error\" role=\"alert\">";
    h.Text(errors.general) << "</p>";
  }
  h << "<form method=\"post\" class=\"check-form\" action=\"";
  if (check_id.empty()) {
    h << "/checks/new";
  } else {
    h << "/checks/";
    h.Text(check_id) << "/edit";
  }
  h << "\" novalidate>";
  CsrfField(h, context);
  struct Field {
    const char* name;
    Markup label;
    Markup type;
    Markup hint;
  };
  const Field fields[] = {
      {"name", "Name", "text", "what people read instead of the URL (optional, unique)"},
      {"url", "URL", "url", "http:// or https:// address to probe"},
      {"labels", "Labels", "text",
       "key=value, comma-separated; public=true shows it on the status page"},
      {"webhook_url", "Webhook URL", "url", "where state changes are POSTed (optional)"},
      {"playbook_url", "Playbook URL", "url", "what to do when it fails (optional)"},
      {"every", "Every (seconds)", "number", "seconds between probes; default 60"},
      {"timeout_ms", "Timeout (ms)", "number", "per-probe deadline; default 10000"},
      {"expected_status", "Expected status", "number", "0 = any 2xx"},
      {"failure_threshold", "Failure threshold", "number", "consecutive failures before DOWN"},
      {"recovery_threshold", "Recovery threshold", "number", "consecutive successes before UP"},
      {"webhook_secret", "Webhook secret", "password", "whsec_…; left empty keeps the current one"},
  };
  const auto field_error = [&](const std::string& name) {
    if (const auto found = errors.by_field.find(name); found != errors.by_field.end()) {
      h << "<span class=\"field-error\" role=\"alert\" id=\"error-";
      h.Text(name) << "\">";
      h.Text(found->second) << "</span>";
    }
  };
  for (const auto& f : fields) {
    const std::string name = f.name;
    h << "<div class=\"field";
    if (errors.by_field.count(name)) h << " invalid";
    h << "\"><label for=\"f-";
    h.Text(name) << "\">" << f.label << "</label><input id=\"f-";
    h.Text(name) << "\" name=\"";
    h.Text(name) << "\" type=\"" << f.type << "\" value=\"";
    if (name != "webhook_secret") h.Text(value(name));
    h << "\"><small>" << f.hint << "</small>";
    field_error(name);
    h << "</div>";
  }
  const auto select = [&](const std::string& name, Markup label,
                          const std::vector<std::pair<std::string, std::string>>& options) {
    h << "<div class=\"field\"><label for=\"f-";
    h.Text(name) << "\">" << label << "</label><select id=\"f-";
    h.Text(name) << "\" name=\"";
    h.Text(name) << "\">";
    for (const auto& [option_value, option_label] : options) {
      h << "<option value=\"";
      h.Text(option_value) << "\"";
      if (value(name) == option_value) h << " selected";
      h << ">";
      h.Text(option_label) << "</option>";
    }
    h << "</select>";
    field_error(name);
    h << "</div>";
  };
  select("enabled", "Probing", {{"true", "on"}, {"false", "paused"}});
  select("webhook_format", "Webhook format",
         {{"PROTOBUF", "protobuf (lokahi's)"}, {"JSON", "JSON"}});
  select("notify_failure_kind_change", "Notify DOWN ↔ ERROR", {{"true", "yes"}, {"false", "no"}});
  h << "<button type=\"submit\">" << (check_id.empty() ? Markup("Create") : Markup("Save"))
    << "</button></form>";
  return h;
}

std::string LatencySeriesJson(const std::vector<LatencyPoint>& points, int64_t from, int64_t to) {
  std::string out = "{\"from\":" + std::to_string(from) + ",\"to\":" + std::to_string(to) + ",";
  const auto series = [&](const char* name, auto get, bool last = false) {
    out += "\"";
    out += name;
    out += "\":[";
    for (size_t i = 0; i < points.size(); ++i) {
      if (i) out += ',';
      char number[40];
      std::snprintf(number, sizeof number, "%.3f", static_cast<double>(get(points[i])));
      out += number;
    }
    out += last ? "]" : "],";
  };
  series("t", [](const LatencyPoint& p) { return p.t_unix_s; });
  series("p50", [](const LatencyPoint& p) { return p.p50_ms; });
  series("p95", [](const LatencyPoint& p) { return p.p95_ms; });
  series("dns", [](const LatencyPoint& p) { return p.dns_ms; });
  series("connect", [](const LatencyPoint& p) { return p.connect_ms; });
  series("tls", [](const LatencyPoint& p) { return p.tls_ms; });
  series(
      "first_byte", [](const LatencyPoint& p) { return p.first_byte_ms; }, true);
  return out + "}";
}

}  // namespace lokahi::lokahid
