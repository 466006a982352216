#pragma once
// The console's pages as pure functions of what the service layer returned: no
// I/O here, so each page is a value tests can inspect. Every user-supplied
// value goes through Html::Text.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "alerts.pb.h"
#include "lokahi.pb.h"
#include "lokahid/console/console_queries.h"
#include "lokahid/console/html.h"

namespace lokahi::lokahid {

// "2026-12-06 09:41:02 UTC"
std::string FormatUtc(int64_t unix_s);
// "3d 4h", "12m 5s", "40s"
std::string FormatDuration(int64_t seconds);

struct PageContext {
  std::string csrf;       // for every form; empty on pages without forms
  bool logged_in = true;  // shows the logout button when the caller has a session
  bool session = false;
  int64_t now_unix_s = 0;
};

// A whole console page around `body`.
std::string ConsolePage(std::string_view title, const Html& body, const PageContext& context);

std::string LoginPage(std::string_view message);

struct OverviewData {
  StateCounts counts;
  std::vector<FailingCheck> failing;
  std::vector<RecentTransition> recent;
  std::vector<github::xe::lokahi::Alert> raised_alerts;
};
// The part of the overview that refreshes itself (htmx swaps it every few
// seconds).
Html OverviewLive(const OverviewData& data, int64_t now_unix_s);
Html OverviewBody(const OverviewData& data, int64_t now_unix_s);

// The checks list's filters as the URL carries them (q, state, selector, sort, after): typed text,
// converted to ListOpts by the handler and validated by ChecksApi::List.
struct ChecksListQuery {
  std::string search, state, selector, after;
  std::string sort;  // "", "name", "state" (failing first) or "since" (latest change first)
  // /checks with these filters and `page_token` as after (none when empty).
  std::string Href(const std::string& page_token) const;
};
// `problem`: List's answer to filters it refused, shown instead of the table.
Html ChecksListBody(const github::xe::lokahi::ChecksPage& page, const ChecksListQuery& query,
                    std::string_view problem = {});

struct CheckPageData {
  github::xe::lokahi::CheckStatus status;
  std::vector<github::xe::lokahi::Delivery> deliveries;
  std::vector<DayUptime> days;        // oldest first
  std::optional<std::string> notice;  // the outcome of an action just taken
};
Html CheckPageBody(const CheckPageData& data, const PageContext& context);

// 90 daily bars as an inline SVG (no script, no inline style), a <title>
// tooltip per day.
Html DailyBars(const std::vector<DayUptime>& days, int64_t now_unix_s, int count = 90);
// The same with the days' labels ("2026-12-06", oldest first, `labels.size()` bars) made once
// for many checks.
Html DailyBars(const std::vector<DayUptime>& days, const std::vector<std::string>& labels);
// The same bars drawn compactly for pages with many checks (the status page): one path per
// colour, with a tooltip per colour counting its days, not one element per day.
Html CompactDailyBars(const std::vector<DayUptime>& days, int count);
// The labels of the last `count` UTC days up to the one holding `now_unix_s`, oldest first.
std::vector<std::string> DayLabels(int64_t now_unix_s, int count);

// The form's values as typed (strings), and the API's message for a field, by
// field name.
using FormValues = std::map<std::string, std::string>;
struct FormErrors {
  std::map<std::string, std::string> by_field;
  std::string general;  // a message naming no field of the form
};
FormValues FormValuesOf(const github::xe::lokahi::Check& check);
// "key=value, key=value" in key order (the form's labels field).
std::string LabelsText(const google::protobuf::Map<std::string, std::string>& labels);
// `check_id` empty: the create form.
Html CheckFormBody(const std::string& check_id, const FormValues& values, const FormErrors& errors,
                   const PageContext& context);
// The fields the form shows, in order (also the Put update_mask paths they map
// to).
const std::vector<std::string>& CheckFormFields();

// {"from":…,"to":…,"t":[…],"p50":[…],…} for the latency chart over [from, to] (Unix seconds).
std::string LatencySeriesJson(const std::vector<LatencyPoint>& points, int64_t from, int64_t to);

}  // namespace lokahi::lokahid
