#include "lokahid/console/console_handler.h"

#include <algorithm>
#include <charconv>

#include "lib/checks/check.h"
#include "lib/checks/quote.h"
#include "lokahid/console/alerts_page.h"
#include "lokahid/console/assets.h"
#include "lokahid/console/console_pages.h"
#include "lokahid/console/html.h"

namespace lokahi::lokahid {

namespace pb = github::xe::lokahi;

namespace {

constexpr std::string_view kSessionCookie = "lokahi_session";
constexpr int kListPageSize = 50;
constexpr int kFailingShown = 50;
constexpr int kRecentShown = 10;
constexpr int kDaysShown = 90;

using Form = std::map<std::string, std::string>;

// Decodes a query string or an application/x-www-form-urlencoded body; the
// first value of a repeated name wins.
Form ParseForm(std::string_view text) {
  Form form;
  while (!text.empty()) {
    const size_t amp = text.find('&');
    const std::string_view pair = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    std::string name = UrlDecode(pair.substr(0, eq));
    std::string value = eq == std::string_view::npos ? "" : UrlDecode(pair.substr(eq + 1));
    form.emplace(std::move(name), std::move(value));
  }
  return form;
}

std::string Get(const Form& form, const std::string& name) {
  const auto found = form.find(name);
  return found == form.end() ? std::string() : found->second;
}

std::optional<std::string> CookieValue(const http::Request& request, std::string_view name) {
  const auto header = request.headers.Get("Cookie");
  if (!header) return std::nullopt;
  std::string_view rest = *header;
  while (!rest.empty()) {
    const size_t semi = rest.find(';');
    std::string_view part = rest.substr(0, semi);
    rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.size() > name.size() && part.substr(0, name.size()) == name &&
        part[name.size()] == '=') {
      return std::string(part.substr(name.size() + 1));
    }
  }
  return std::nullopt;
}

http::Response HtmlResponse(int status, std::string body) {
  http::Response response;
  response.status = status;
  response.headers.Set("Content-Type", "text/html; charset=utf-8");
  response.body = std::move(body);
  AddConsoleSecurityHeaders(response);
  return response;
}

http::Response Redirect(std::string location) {
  http::Response response;
  response.status = 303;
  response.headers.Set("Location", std::move(location));
  response.headers.Set("Content-Type", "text/plain; charset=utf-8");
  AddConsoleSecurityHeaders(response);
  return response;
}

Html ErrorBody(Markup heading, std::string_view message) {
  Html h;
  h << "<h1>" << heading << "</h1><p class=\"error\" role=\"alert\">";
  h.Text(message) << "</p>";
  return h;
}

int HttpStatusOf(const ApiStatus& status) { return TwirpErrorOf(status.code).http_status; }

// An integer form field: empty means 0 (the API's "default").
bool ParseNumber(const Form& form, const std::string& name, int32_t* out, FormErrors* errors) {
  const std::string text = Get(form, name);
  if (text.empty()) {
    *out = 0;
    return true;
  }
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  if (ec != std::errc() || end != text.data() + text.size()) {
    errors->by_field[name] = name + " must be a whole number, got " + checks::Quote(text);
    return false;
  }
  return true;
}

// Puts the API's message at the field it names (its messages start with the
// field's name).
FormErrors ErrorsOf(const ApiStatus& status) {
  FormErrors errors;
  std::string field = status.message.substr(0, status.message.find_first_of(" :"));
  if (field == "label" || (field == "at" && status.message.find(" labels") != std::string::npos)) {
    field = "labels";
  }
  if (status.code == ApiCode::kAlreadyExists) field = "name";
  const auto& fields = CheckFormFields();
  if (std::find(fields.begin(), fields.end(), field) != fields.end()) {
    errors.by_field[field] = status.message;
  } else {
    errors.general = status.message;
  }
  return errors;
}

// "key=value, key=value" (commas or newlines between pairs) into `labels`; the API validates the
// keys and values.
bool ParseLabels(const Form& form, google::protobuf::Map<std::string, std::string>* labels,
                 FormErrors* errors) {
  std::string text = Get(form, "labels");
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ',';
  }
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    std::string pair = text.substr(start, end - start);
    pair.erase(0, pair.find_first_not_of(' '));
    pair.erase(pair.find_last_not_of(' ') + 1);
    start = end + 1;
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    if (eq == std::string::npos) {
      errors->by_field["labels"] =
          "labels must be key=value pairs separated by commas, got " + checks::Quote(pair);
      return false;
    }
    (*labels)[pair.substr(0, eq)] = pair.substr(eq + 1);
  }
  return true;
}

pb::WebhookFormat FormatOf(const std::string& text) {
  return text == "JSON" ? pb::WEBHOOK_FORMAT_JSON : pb::WEBHOOK_FORMAT_PROTOBUF;
}

// Segments of "/checks/<id>/<action>".
struct CheckPath {
  std::string id;
  std::string action;  // "" for the check page
};
std::optional<CheckPath> ParseCheckPath(std::string_view path) {
  constexpr std::string_view kPrefix = "/checks/";
  if (path.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  path.remove_prefix(kPrefix.size());
  const size_t slash = path.find('/');
  CheckPath out{std::string(path.substr(0, slash)), ""};
  if (slash != std::string_view::npos) out.action = std::string(path.substr(slash + 1));
  if (out.id.empty() || out.action.find('/') != std::string::npos) return std::nullopt;
  return out;
}

}  // namespace

void AddConsoleSecurityHeaders(http::Response& response) {
  response.headers.Set("Content-Security-Policy", std::string(kConsoleSecurityPolicy));
  response.headers.Set("X-Frame-Options", "DENY");
  response.headers.Set("X-Content-Type-Options", "nosniff");
  response.headers.Set("Referrer-Policy", "same-origin");
  if (!response.headers.Has("Cache-Control")) response.headers.Set("Cache-Control", "no-store");
}

struct ConsoleHandler::Visitor {
  Caller caller;
  PageContext context;
  std::optional<std::string> session_token;
};

ConsoleHandler::ConsoleHandler(ChecksApi& api, AlertsApi& alerts, PgConsoleQueries& queries,
                               PgConsoleSessions& sessions,
                               std::optional<auth::Credentials> credentials, Clock clock)
    : api_(api),
      alerts_(alerts),
      queries_(queries),
      sessions_(sessions),
      credentials_(std::move(credentials)),
      csrf_key_(credentials_
                    ? "lokahi-console-csrf:" + credentials_->user + ":" + credentials_->password
                    : RandomHex(32)),
      clock_(std::move(clock)) {}

bool ConsoleHandler::Serves(std::string_view path) {
  return path == "/" || path == "/login" || path == "/logout" || path == "/overview/live" ||
         path == "/checks" || path.starts_with("/checks/") || path.starts_with("/assets/") ||
         path == "/alerts" || path == "/alerts/ack" || path == "/alerts/clear";
}

std::optional<http::Response> ConsoleHandler::Handle(const http::Request& request,
                                                     const std::string& client_address) const {
  if (!Serves(request.path)) return std::nullopt;
  // Forms post application/x-www-form-urlencoded; a POST of anything else is an API client's
  // mistake (JSON or protobuf to a wrong path), answered by the Twirp side as a bad route.
  if (request.method == "POST") {
    const auto type = request.headers.Get("Content-Type").value_or("");
    if (!type.empty() && !type.starts_with("application/x-www-form-urlencoded")) {
      return std::nullopt;
    }
  }
  const bool get = request.method == "GET" || request.method == "HEAD";
  if (!get && request.method != "POST") {
    auto response = HtmlResponse(405, "method not allowed\n");
    response.headers.Set("Allow", "GET, HEAD, POST");
    return response;
  }

  if (request.path.starts_with("/assets/")) {
    const auto asset = FindAsset(std::string_view(request.path).substr(8));
    if (!asset || !get) return HtmlResponse(404, "no such asset\n");
    http::Response response;
    response.headers.Set("Content-Type", std::string(AssetContentType(asset->name)));
    response.headers.Set("Cache-Control", "public, max-age=3600");
    response.headers.Set("X-Content-Type-Options", "nosniff");
    response.body = std::string(asset->bytes);
    return response;
  }

  Caller caller{std::nullopt, client_address, "console"};
  if (request.path == "/login") {
    if (get) return HtmlResponse(200, LoginPage(""));
    const Form form = ParseForm(request.body);
    caller.authorization =
        auth::BasicAuthorizationHeader({Get(form, "user"), Get(form, "password")});
    if (const auto status = api_.Authenticate(caller); !status.ok()) {
      return HtmlResponse(HttpStatusOf(status), LoginPage(status.code == ApiCode::kUnauthenticated
                                                              ? "Wrong user or password."
                                                              : status.message));
    }
    const auto session = sessions_.Create();
    auto response = Redirect("/");
    response.headers.Set("Set-Cookie", std::string(kSessionCookie) + "=" + session.token +
                                           "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                                           std::to_string(sessions_.lifetime().count()));
    return response;
  }

  Visitor visitor{caller, {}, std::nullopt};
  visitor.context.now_unix_s =
      std::chrono::duration_cast<std::chrono::seconds>(clock_().time_since_epoch()).count();
  const auto token = CookieValue(request, kSessionCookie);
  std::optional<ConsoleSession> session;
  if (token) session = sessions_.Find(*token);
  if (session) {
    visitor.caller.console_session = true;
    visitor.context.csrf = session->csrf;
    visitor.context.session = true;
    visitor.session_token = token;
  } else {
    if (const auto authorization = request.headers.Get("Authorization")) {
      visitor.caller.authorization.emplace(*authorization);
    }
    if (const auto status = api_.Authenticate(visitor.caller); !status.ok()) {
      return HtmlResponse(
          401, LoginPage(visitor.caller.authorization && status.code != ApiCode::kUnauthenticated
                             ? status.message
                             : ""));
    }
    visitor.context.csrf =
        HmacSha256Hex(csrf_key_, visitor.caller.authorization.value_or("open")).substr(0, 32);
  }

  if (!get) {
    const Form form = ParseForm(request.body);
    if (!auth::ConstantTimeEquals(Get(form, "csrf"), visitor.context.csrf)) {
      return HtmlResponse(403, ConsolePage("Refused",
                                           ErrorBody("Refused",
                                                     "This form expired or came from another site: "
                                                     "reload the page and try again."),
                                           visitor.context));
    }
  }
  return Route(request, visitor);
}

http::Response ConsoleHandler::Route(const http::Request& request, Visitor& visitor) const {
  const bool get = request.method != "POST";
  const auto& context = visitor.context;
  const Form query = ParseForm(request.query);

  if (request.path == "/logout") {
    if (get) return Redirect("/");
    if (visitor.session_token) sessions_.Delete(*visitor.session_token);
    auto response = Redirect("/login");
    response.headers.Set("Set-Cookie", std::string(kSessionCookie) +
                                           "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    return response;
  }
  if ((request.path == "/" || request.path == "/overview/live") && get) {
    OverviewData data{queries_.CountByState(),
                      queries_.FailingNow(kFailingShown),
                      queries_.RecentTransitions(kRecentShown),
                      {}};
    pb::ListAlertsRequest raised;
    raised.set_state(pb::Alert::RAISED);
    raised.set_count(kFailingShown);
    pb::AlertsPage alerts;
    if (alerts_.List(visitor.caller, raised, &alerts).ok()) {
      data.raised_alerts.assign(alerts.alerts().begin(), alerts.alerts().end());
    }
    if (request.path == "/overview/live") {
      return HtmlResponse(200, OverviewLive(data, context.now_unix_s).Take());
    }
    return HtmlResponse(200,
                        ConsolePage("Overview", OverviewBody(data, context.now_unix_s), context));
  }
  if (request.path.starts_with("/alerts")) return RouteAlerts(request, visitor);
  if (request.path == "/checks" && get) {
    const ChecksListQuery list{Get(query, "q"), Get(query, "state"), Get(query, "selector"),
                               Get(query, "after"), Get(query, "sort")};
    pb::ListOpts opts;
    opts.set_count(kListPageSize);
    opts.set_page_token(list.after);
    opts.set_search(list.search);
    opts.set_selector(list.selector);
    if (!list.state.empty()) {
      pb::Check::State state;
      // A name List does not know goes on as a number it refuses, so its message is the one.
      opts.set_state(
          pb::Check::State_Parse(list.state, &state) ? state : static_cast<pb::Check::State>(-1));
    }
    if (!list.sort.empty()) {
      std::string order = list.sort;
      std::transform(order.begin(), order.end(), order.begin(), ::toupper);
      pb::ListOpts::Order value;
      // An unknown name goes on as a number List refuses, with its message.
      opts.set_order(
          pb::ListOpts::Order_Parse(order, &value) ? value : static_cast<pb::ListOpts::Order>(-1));
    }
    pb::ChecksPage page;
    if (const auto status = api_.List(visitor.caller, opts, &page); !status.ok()) {
      if (status.code == ApiCode::kInvalidArgument) {
        return HtmlResponse(
            400, ConsolePage("Checks", ChecksListBody(page, list, status.message), context));
      }
      return HtmlResponse(HttpStatusOf(status),
                          ConsolePage("Checks", ErrorBody("Checks", status.message), context));
    }
    return HtmlResponse(200, ConsolePage("Checks", ChecksListBody(page, list), context));
  }
  if (request.path == "/checks/new") {
    if (get) {
      return HtmlResponse(200,
                          ConsolePage("New check", CheckFormBody("", {}, {}, context), context));
    }
    const Form form = ParseForm(request.body);
    FormErrors errors;
    pb::CreateOpts opts;
    opts.set_url(Get(form, "url"));
    opts.set_webhook_url(Get(form, "webhook_url"));
    opts.set_playbook_url(Get(form, "playbook_url"));
    opts.set_webhook_secret(Get(form, "webhook_secret"));
    opts.set_webhook_format(FormatOf(Get(form, "webhook_format")));
    opts.set_notify_failure_kind_change(Get(form, "notify_failure_kind_change") != "false");
    opts.set_name(Get(form, "name"));
    opts.set_enabled(Get(form, "enabled") != "false");
    ParseLabels(form, opts.mutable_labels(), &errors);
    int32_t n = 0;
    if (ParseNumber(form, "every", &n, &errors)) opts.set_every(n);
    if (ParseNumber(form, "timeout_ms", &n, &errors)) opts.set_timeout_ms(n);
    if (ParseNumber(form, "expected_status", &n, &errors)) opts.set_expected_status(n);
    if (ParseNumber(form, "failure_threshold", &n, &errors)) opts.set_failure_threshold(n);
    if (ParseNumber(form, "recovery_threshold", &n, &errors)) opts.set_recovery_threshold(n);
    pb::Check created;
    if (errors.by_field.empty()) {
      const auto status = api_.Create(visitor.caller, opts, &created);
      if (status.ok()) return Redirect("/checks/" + created.id() + "?done=created");
      errors = ErrorsOf(status);
    }
    return HtmlResponse(
        400, ConsolePage("New check", CheckFormBody("", form, errors, context), context));
  }

  const auto path = ParseCheckPath(request.path);
  if (!path)
    return HtmlResponse(
        404, ConsolePage("Not found", ErrorBody("Not found", "There is no such page."), context));
  pb::CheckID id;
  id.set_id(path->id);

  if (path->action.empty() && get) {
    CheckPageData data;
    if (const auto status = api_.Status(visitor.caller, id, &data.status); !status.ok()) {
      return HtmlResponse(HttpStatusOf(status),
                          ConsolePage("Check", ErrorBody("Check", status.message), context));
    }
    pb::DeliveriesPage deliveries;
    if (api_.Deliveries(visitor.caller, id, &deliveries).ok()) {
      data.deliveries.assign(deliveries.deliveries().begin(), deliveries.deliveries().end());
    }
    data.days = queries_.DailyUptime(data.status.check().id(), kDaysShown);
    const std::string done = Get(query, "done");
    if (done == "created") data.notice = "Check created.";
    if (done == "saved") data.notice = "Changes saved.";
    if (done == "run") data.notice = "Probed just now.";
    if (done == "pause") data.notice = "Paused: not probed until resumed.";
    if (done == "resume") data.notice = "Resumed.";
    return HtmlResponse(
        200, ConsolePage(data.status.check().url(), CheckPageBody(data, context), context));
  }
  if (path->action == "series" && get) {
    const auto check_id = checks::CheckId::Parse(path->id);
    if (!check_id) return HtmlResponse(404, "no such check\n");
    const bool week = Get(query, "window") == "7d";
    const auto points = week ? queries_.LatencySeries(check_id->str(), std::chrono::hours(24 * 7),
                                                      std::chrono::hours(1))
                             : queries_.LatencySeries(check_id->str(), std::chrono::hours(24),
                                                      std::chrono::minutes(15));
    http::Response response;
    response.headers.Set("Content-Type", "application/json");
    const int64_t window_s = week ? 7 * 86400 : 86400;
    response.body = LatencySeriesJson(points, context.now_unix_s - window_s, context.now_unix_s);
    AddConsoleSecurityHeaders(response);
    return response;
  }
  if (path->action == "edit") {
    pb::Check current;
    if (const auto status = api_.Get(visitor.caller, id, &current); !status.ok()) {
      return HtmlResponse(HttpStatusOf(status),
                          ConsolePage("Edit", ErrorBody("Edit check", status.message), context));
    }
    if (get) {
      return HtmlResponse(
          200,
          ConsolePage("Edit check", CheckFormBody(current.id(), FormValuesOf(current), {}, context),
                      context));
    }
    const Form form = ParseForm(request.body);
    FormErrors errors;
    pb::Check put;
    put.set_id(current.id());
    put.set_url(Get(form, "url"));
    put.set_webhook_url(Get(form, "webhook_url"));
    put.set_playbook_url(Get(form, "playbook_url"));
    put.set_webhook_format(FormatOf(Get(form, "webhook_format")));
    put.set_notify_failure_kind_change(Get(form, "notify_failure_kind_change") != "false");
    put.set_name(Get(form, "name"));
    put.set_enabled(Get(form, "enabled") != "false");
    ParseLabels(form, put.mutable_labels(), &errors);
    int32_t n = 0;
    if (ParseNumber(form, "every", &n, &errors)) put.set_every(n);
    if (ParseNumber(form, "timeout_ms", &n, &errors)) put.set_timeout_ms(n);
    if (ParseNumber(form, "expected_status", &n, &errors)) put.set_expected_status(n);
    if (ParseNumber(form, "failure_threshold", &n, &errors)) put.set_failure_threshold(n);
    if (ParseNumber(form, "recovery_threshold", &n, &errors)) put.set_recovery_threshold(n);
    for (const auto& field : CheckFormFields()) {
      // An empty secret field keeps the current secret.
      if (field == "webhook_secret" && Get(form, field).empty()) continue;
      put.mutable_update_mask()->add_paths(field);
    }
    if (!Get(form, "webhook_secret").empty()) put.set_webhook_secret(Get(form, "webhook_secret"));
    pb::Check stored;
    if (errors.by_field.empty()) {
      const auto status = api_.Put(visitor.caller, put, &stored);
      if (status.ok()) return Redirect("/checks/" + stored.id() + "?done=saved");
      errors = ErrorsOf(status);
    }
    return HtmlResponse(
        400,
        ConsolePage("Edit check", CheckFormBody(current.id(), form, errors, context), context));
  }
  if (path->action == "run" && !get) {
    pb::CheckStatus result;
    const auto status = api_.Run(visitor.caller, id, &result);
    if (status.ok()) return Redirect("/checks/" + path->id + "?done=run");
    return HtmlResponse(
        HttpStatusOf(status),
        ConsolePage("Run", ErrorBody("Could not run the check", status.message), context));
  }
  if ((path->action == "pause" || path->action == "resume") && !get) {
    pb::Check put;
    put.set_id(path->id);
    put.set_enabled(path->action == "resume");
    put.mutable_update_mask()->add_paths("enabled");
    pb::Check stored;
    const auto status = api_.Put(visitor.caller, put, &stored);
    if (status.ok()) return Redirect("/checks/" + stored.id() + "?done=" + path->action);
    return HtmlResponse(
        HttpStatusOf(status),
        ConsolePage("Check", ErrorBody("Could not change the check", status.message), context));
  }
  if (path->action == "delete" && !get) {
    pb::Check deleted;
    const auto status = api_.Delete(visitor.caller, id, &deleted);
    if (status.ok()) return Redirect("/checks");
    return HtmlResponse(
        HttpStatusOf(status),
        ConsolePage("Delete", ErrorBody("Could not delete the check", status.message), context));
  }
  return HtmlResponse(
      404, ConsolePage("Not found", ErrorBody("Not found", "There is no such page."), context));
}

http::Response ConsoleHandler::RouteAlerts(const http::Request& request, Visitor& visitor) const {
  const auto& context = visitor.context;
  if (request.method == "POST" &&
      (request.path == "/alerts/ack" || request.path == "/alerts/clear")) {
    const Form form = ParseForm(request.body);
    pb::Alert alert;
    ApiStatus status;
    std::string done;
    if (request.path == "/alerts/ack") {
      pb::AcknowledgeAlertRequest ack;
      ack.set_id(Get(form, "id"));
      ack.set_source(Get(form, "source"));
      ack.set_note(Get(form, "note"));
      // A session was opened with the admin credentials: acknowledge as their user.
      if (visitor.caller.console_session && credentials_) ack.set_by(credentials_->user);
      int64_t seconds = 0;
      const std::string text = Get(form, "for");
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
      if (ec != std::errc() || end != text.data() + text.size()) seconds = 0;  // the API's default
      ack.set_for_seconds(seconds);
      status = alerts_.Acknowledge(visitor.caller, ack, &alert);
      done = "acknowledged";
    } else {
      pb::AlertRef ref;
      ref.set_id(Get(form, "id"));
      ref.set_source(Get(form, "source"));
      status = alerts_.Clear(visitor.caller, ref, &alert);
      done = "cleared";
    }
    if (status.ok()) return Redirect("/alerts?done=" + done);
    return HtmlResponse(
        HttpStatusOf(status),
        ConsolePage("Alerts", ErrorBody("Could not change the alert", status.message), context));
  }
  if (request.path != "/alerts" || request.method == "POST") {
    return HtmlResponse(
        404, ConsolePage("Not found", ErrorBody("Not found", "There is no such page."), context));
  }
  AlertsPageData data;
  const std::pair<pb::Alert::State, std::vector<pb::Alert>*> lists[] = {
      {pb::Alert::RAISED, &data.raised},
      {pb::Alert::ACKNOWLEDGED, &data.acknowledged},
      {pb::Alert::PENDING, &data.pending}};
  for (const auto& [state, out] : lists) {
    pb::ListAlertsRequest list;
    list.set_state(state);
    list.set_count(kMaxAlertListCount);
    pb::AlertsPage page;
    if (const auto status = alerts_.List(visitor.caller, list, &page); !status.ok()) {
      return HtmlResponse(HttpStatusOf(status),
                          ConsolePage("Alerts", ErrorBody("Alerts", status.message), context));
    }
    out->assign(page.alerts().begin(), page.alerts().end());
  }
  const std::string done = Get(ParseForm(request.query), "done");
  if (done == "acknowledged") data.notice = "Acknowledged.";
  if (done == "cleared") data.notice = "Cleared.";
  return HtmlResponse(200, ConsolePage("Alerts", AlertsPageBody(data, context), context));
}

}  // namespace lokahi::lokahid