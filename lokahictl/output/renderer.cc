#include "lokahictl/output/renderer.h"

#include <google/protobuf/util/time_util.h>

#include <cstdio>
#include <map>

#include "lokahi.pb.h"
#include "lokahictl/output/alert_views.h"
#include "lokahictl/output/text_table.h"
#include "maintenance.pb.h"

namespace lokahi::lokahictl::output {

namespace pb = github::xe::lokahi;
using std::chrono::seconds;

namespace {

constexpr size_t kShortUrl = 48;  // table mode; wide prints URLs whole
constexpr size_t kShortError = 60;

std::string StateColor(pb::Check::State state) {
  switch (state) {
    case pb::Check::UP:
      return "32";  // green
    case pb::Check::DOWN:
      return "31";  // red
    case pb::Check::ERROR:
      return "33";  // yellow
    default:
      return "2";  // dim
  }
}

std::string Milliseconds(double nanoseconds) {
  char text[32];
  const double ms = nanoseconds / 1e6;
  if (ms < 10) {
    std::snprintf(text, sizeof text, "%.2f ms", ms);
  } else if (ms < 1000) {
    std::snprintf(text, sizeof text, "%.1f ms", ms);
  } else {
    std::snprintf(text, sizeof text, "%.2f s", ms / 1000);
  }
  return text;
}

std::string Percent(double ratio) {
  char text[16];
  std::snprintf(text, sizeof text, "%.2f%%", ratio * 100);
  return text;
}

std::string Fixed(double value, int decimals) {
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

class Views {
 public:
  Views(const TableStyle& style, bool wide) : style_(style), wide_(wide) {}

  void ChecksPage(const pb::ChecksPage& page, std::ostream& out) const {
    if (page.results_size() == 0) {
      out << "no checks (" << page.total() << " stored)\n";
      return;
    }
    TextTable table(wide_ ? std::vector<std::string>{"ID", "NAME", "STATE", "EVERY", "TIMEOUT",
                                                     "EXPECT", "FAIL/RECOVER", "URL", "WEBHOOK",
                                                     "FORMAT", "SIGNED", "PLAYBOOK", "LABELS",
                                                     "CREATED"}
                          : std::vector<std::string>{"ID", "STATE", "EVERY", "NAME OR URL"});
    for (const auto& result : page.results()) {
      const pb::Check& check = result.check();
      if (wide_) {
        table.AddRow({check.id(), Or(check.name()), StateCell(check), Every(check), Timeout(check),
                      Expected(check), Thresholds(check), check.url(), check.webhook_url(),
                      Format(check), check.has_webhook_secret() ? "yes" : "no",
                      Or(check.playbook_url()), Or(Labels(check)),
                      Ago(check.has_created_at(), check.created_at())});
      } else {
        table.AddRow(
            {check.id(), StateCell(check), Every(check), Shortened(Title(check), kShortUrl)});
      }
    }
    table.Print(out, style_.color);
    out << "\n" << page.results_size() << " of " << page.total() << " checks";
    if (!page.next_page_token().empty()) {
      out << "; next page: --page-token " << page.next_page_token();
    }
    out << "\n";
  }

  void Check(const pb::Check& check, std::ostream& out) const {
    TextTable fields;
    AddCheckFields(check, fields);
    fields.Print(out, style_.color);
  }

  void CheckStatus(const pb::CheckStatus& status, std::ostream& out) const {
    TextTable fields;
    const pb::Check& check = status.check();
    fields.AddRow({"ID", check.id()});
    if (!check.name().empty()) fields.AddRow({"NAME", check.name()});
    fields.AddRow({"URL", check.url()});
    fields.AddRow({"STATE", StateCell(check)});
    if (status.has_last_probe()) {
      const pb::ProbeDetail& probe = status.last_probe();
      std::string answer = status.resp_status_code() != 0
                               ? "HTTP " + std::to_string(status.resp_status_code())
                               : "no answer";
      answer += " in " + Milliseconds(static_cast<double>(status.last_response_time_nanoseconds()));
      if (!probe.error().empty()) answer += ": " + Short(probe.error(), kShortError);
      fields.AddRow({"LAST PROBE", Ago(probe.has_probed_at(), probe.probed_at()) + ", " + answer});
      fields.AddRow({"TIMINGS", "dns " + Nanos(probe.dns_nanoseconds()) + ", connect " +
                                    Nanos(probe.connect_nanoseconds()) + ", tls " +
                                    Nanos(probe.tls_nanoseconds()) + ", first byte " +
                                    Nanos(probe.first_byte_nanoseconds())});
      if (probe.has_tls_cert_expires_at()) {
        fields.AddRow({"TLS CERT", "expires " + When(probe.tls_cert_expires_at())});
      }
    } else {
      fields.AddRow({"LAST PROBE", "none yet"});
    }
    fields.AddRow(
        {"UPTIME",
         "24h " + Uptime(status.has_uptime_24h(), status.uptime_24h(), status.uptime_probes_24h()) +
             "   7d " +
             Uptime(status.has_uptime_7d(), status.uptime_7d(), status.uptime_probes_7d()) +
             "   30d " +
             Uptime(status.has_uptime_30d(), status.uptime_30d(), status.uptime_probes_30d())});
    if (status.has_histogram_data()) {
      fields.AddRow({"LATENCY 24H", Latency(status.histogram_data())});
    }
    if (wide_) {
      fields.AddRow({"EVERY", Every(check)});
      fields.AddRow({"WEBHOOK", check.webhook_url()});
    }
    fields.Print(out, style_.color);
  }

  void DeliveriesPage(const pb::DeliveriesPage& page, std::ostream& out) const {
    if (page.deliveries_size() == 0) {
      out << "no deliveries\n";
      return;
    }
    TextTable table(wide_ ? std::vector<std::string>{"WEBHOOK ID", "TRANSITION", "AT", "OUTCOME",
                                                     "ATTEMPTS", "HTTP", "DELIVERED", "ERROR"}
                          : std::vector<std::string>{"WEBHOOK ID", "TRANSITION", "AT", "OUTCOME",
                                                     "ATTEMPTS", "HTTP", "ERROR"});
    for (const auto& d : page.deliveries()) {
      std::vector<Cell> row = {
          d.webhook_id(),
          pb::Check::State_Name(d.from_state()) + "→" + pb::Check::State_Name(d.to_state()),
          Ago(d.has_transition_at(), d.transition_at()),
          Cell(d.outcome(), OutcomeColor(d.outcome())),
          std::to_string(d.attempts()),
          d.last_status_code() != 0 ? std::to_string(d.last_status_code()) : "-"};
      if (wide_) row.emplace_back(Ago(d.has_delivered_at(), d.delivered_at()));
      row.emplace_back(Or(Short(d.last_error(), kShortError)));
      table.AddRow(std::move(row));
    }
    table.Print(out, style_.color);
  }

  void PipelineStats(const pb::PipelineStats& stats, std::ostream& out) const {
    TextTable fields;
    fields.AddRow({"CHECKS", std::to_string(stats.checks())});
    fields.AddRow({"PROBES/MIN", Fixed(stats.probes_per_minute(), 0) + " (last minute)"});
    fields.AddRow({"PROBES 1H", std::to_string(stats.probes_last_hour())});
    fields.AddRow({"LATENCY 1H", stats.has_latency() ? Latency(stats.latency()) : "-"});
    fields.AddRow({"SCHEDULE LAG", "p50 " + Fixed(stats.schedule_lag_p50_ms(), 1) + " ms   p99 " +
                                       Fixed(stats.schedule_lag_p99_ms(), 1) + " ms"});
    const int64_t skipped = stats.skipped_slots_last_hour();
    fields.AddRow({"SKIPPED 1H", Cell(std::to_string(skipped), skipped > 0 ? "33" : "")});
    fields.Print(out, style_.color);
  }

  void MaintenanceWindows(const pb::MaintenanceWindows& list, std::ostream& out) const {
    if (list.windows_size() == 0) {
      out << "no maintenance windows\n";
      return;
    }
    TextTable table({"ID", "CHECKS", "WHEN", "NOW", "REASON"});
    for (const auto& w : list.windows()) {
      table.AddRow({w.id(), Selects(w), Schedule(w), Now(w), Or(Short(w.reason(), kShortError))});
    }
    table.Print(out, style_.color);
  }

  void MaintenanceWindow(const pb::MaintenanceWindow& w, std::ostream& out) const {
    TextTable fields;
    fields.AddRow({"ID", w.id()});
    fields.AddRow({"CHECKS", Selects(w)});
    fields.AddRow({"WHEN", Schedule(w)});
    fields.AddRow({"NOW", Now(w)});
    fields.AddRow({"REASON", Or(w.reason())});
    fields.AddRow({"CREATED", Ago(w.has_created_at(), w.created_at())});
    fields.Print(out, style_.color);
  }

 private:
  static std::string Selects(const pb::MaintenanceWindow& w) {
    std::string text = w.selector();
    if (w.check_ids_size() > 0) {
      if (!text.empty()) text += " + ";
      text += w.check_ids_size() == 1 ? "check " + w.check_ids(0)
                                      : std::to_string(w.check_ids_size()) + " checks";
    }
    return text;
  }
  static std::string Schedule(const pb::MaintenanceWindow& w) {
    using google::protobuf::util::TimeUtil;
    if (w.has_weekly()) {
      const auto& weekly = w.weekly();
      return "every " + weekly.weekday() + " " + weekly.from() + "-" + weekly.to() + " " +
             weekly.time_zone();
    }
    return TimeUtil::ToString(w.start()) + " to " + TimeUtil::ToString(w.end());
  }
  Cell Now(const pb::MaintenanceWindow& w) const {
    if (w.active()) return Cell("active, ends " + When(w.next_end()), "33");
    if (w.has_next_start()) return Cell("starts " + When(w.next_start()), "");
    return Cell("ended", "2");
  }
  std::string Short(const std::string& text, size_t max) const {
    return wide_ ? text : Shortened(text, max);
  }
  static std::string Or(const std::string& text) { return text.empty() ? "-" : text; }
  static std::string Every(const pb::Check& check) { return std::to_string(check.every()) + "s"; }
  static std::string Timeout(const pb::Check& check) {
    return std::to_string(check.timeout_ms()) + " ms";
  }
  static std::string Expected(const pb::Check& check) {
    return check.expected_status() == 0 ? "2xx" : std::to_string(check.expected_status());
  }
  static std::string Thresholds(const pb::Check& check) {
    return std::to_string(check.failure_threshold()) + "/" +
           std::to_string(check.recovery_threshold());
  }
  static std::string Format(const pb::Check& check) {
    return check.webhook_format() == pb::WEBHOOK_FORMAT_JSON ? "json" : "protobuf";
  }
  static std::string Nanos(int64_t nanoseconds) {
    return nanoseconds > 0 ? Milliseconds(static_cast<double>(nanoseconds)) : "-";
  }
  // Unknown (no probe in the window) reads as a dash, never as 0 %.
  static std::string Uptime(bool known, double ratio, int64_t probes) {
    if (!known || probes == 0) return "\u2014";
    return Percent(ratio) + " (" + std::to_string(probes) + " probes)";
  }
  static std::string Latency(const pb::HistogramData& h) {
    return "p50 " + Milliseconds(h.p50_nanoseconds()) + "   p95 " +
           Milliseconds(h.p95_nanoseconds()) + "   p99 " + Milliseconds(h.p99_nanoseconds()) +
           "   max " + Milliseconds(h.max_nanoseconds());
  }

  seconds Since(const google::protobuf::Timestamp& at) const {
    const auto then = std::chrono::system_clock::time_point(seconds(at.seconds()));
    return std::chrono::duration_cast<seconds>(style_.now - then);
  }
  // "3m ago", "in 40d", "-" when unset.
  std::string Ago(bool set, const google::protobuf::Timestamp& at) const {
    if (!set) return "-";
    return When(at);
  }
  std::string When(const google::protobuf::Timestamp& at) const {
    const seconds since = Since(at);
    if (since < seconds(0)) return "in " + RoughDuration(-since);
    return RoughDuration(since) + " ago";
  }
  Cell StateCell(const pb::Check& check) const {
    if (check.has_enabled() && !check.enabled()) return Cell("PAUSED", "2");
    std::string text = pb::Check::State_Name(check.state());
    if (check.has_state_changed_at()) {
      text += " for " + RoughDuration(std::max(seconds(0), Since(check.state_changed_at())));
    }
    return Cell(text, StateColor(check.state()));
  }

  // The name where a person reads, the URL when there is none.
  static std::string Title(const pb::Check& check) {
    return check.name().empty() ? check.url() : check.name();
  }

  // "POST, Authorization: ****, body 42 B, redirects not followed, IPv6"; empty for a plain GET.
  // Header values are never in an answer: each shows as ****.
  static std::string Request(const pb::Check& check) {
    std::string text;
    const auto add = [&](const std::string& part) { text += (text.empty() ? "" : ", ") + part; };
    if (!check.method().empty() && check.method() != "GET") add(check.method());
    for (const auto& header : check.headers()) add(header.name() + ": ****");
    if (!check.body().empty()) add("body " + std::to_string(check.body().size()) + " B");
    if (check.has_follow_redirects() && !check.follow_redirects()) add("redirects not followed");
    if (check.ip_version() != pb::IP_ANY) add("IPv" + std::to_string(check.ip_version()));
    return text;
  }

  static std::string Labels(const pb::Check& check) {
    std::map<std::string, std::string> sorted(check.labels().begin(), check.labels().end());
    std::string text;
    for (const auto& [key, value] : sorted) text += (text.empty() ? "" : " ") + key + "=" + value;
    return text;
  }

  void AddCheckFields(const pb::Check& check, TextTable& fields) const {
    fields.AddRow({"ID", check.id()});
    if (!check.name().empty()) fields.AddRow({"NAME", check.name()});
    fields.AddRow({"URL", check.url()});
    if (check.labels_size() > 0) fields.AddRow({"LABELS", Labels(check)});
    fields.AddRow({"STATE", StateCell(check)});
    fields.AddRow({"EVERY", Every(check)});
    fields.AddRow({"TIMEOUT", Timeout(check)});
    if (const auto request = Request(check); !request.empty()) fields.AddRow({"REQUEST", request});
    fields.AddRow({"EXPECT", Expected(check)});
    fields.AddRow({"FAIL/RECOVER", Thresholds(check) + " consecutive probes"});
    fields.AddRow({"WEBHOOK", check.webhook_url() + " (" + Format(check) +
                                  (check.has_webhook_secret() ? ", signed" : "") + ")"});
    fields.AddRow({"PLAYBOOK", Or(check.playbook_url())});
    fields.AddRow({"CREATED", Ago(check.has_created_at(), check.created_at())});
    fields.AddRow({"UPDATED", Ago(check.has_updated_at(), check.updated_at())});
  }

  const TableStyle& style_;
  bool wide_;
};

}  // namespace

std::string OutcomeColor(const std::string& outcome) {
  if (outcome == "delivered") return "32";
  if (outcome == "failed") return "31";
  return "33";
}

std::string RoughDuration(seconds duration) {
  const int64_t s = duration.count();
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600) return std::to_string(s / 60) + "m";
  if (s < 2 * 86400) return std::to_string(s / 3600) + "h";
  return std::to_string(s / 86400) + "d";
}

Renderer::Renderer(Format format, TableStyle style) : format_(format), style_(style) {}

void Renderer::Print(const google::protobuf::Message& message, std::ostream& out) const {
  if (format_ == Format::kYaml) {
    out << ToYaml(message);
    return;
  }
  if (format_ == Format::kTable || format_ == Format::kWide) {
    const Views views(style_, format_ == Format::kWide);
    if (const auto* page = dynamic_cast<const pb::ChecksPage*>(&message)) {
      return views.ChecksPage(*page, out);
    }
    if (const auto* check = dynamic_cast<const pb::Check*>(&message)) {
      return views.Check(*check, out);
    }
    if (const auto* status = dynamic_cast<const pb::CheckStatus*>(&message)) {
      return views.CheckStatus(*status, out);
    }
    if (const auto* page = dynamic_cast<const pb::DeliveriesPage*>(&message)) {
      return views.DeliveriesPage(*page, out);
    }
    if (const auto* stats = dynamic_cast<const pb::PipelineStats*>(&message)) {
      return views.PipelineStats(*stats, out);
    }
    if (PrintAlertTable(message, style_, format_ == Format::kWide, out)) return;
    if (const auto* list = dynamic_cast<const pb::MaintenanceWindows*>(&message)) {
      return views.MaintenanceWindows(*list, out);
    }
    if (const auto* window = dynamic_cast<const pb::MaintenanceWindow*>(&message)) {
      return views.MaintenanceWindow(*window, out);
    }
  }
  out << ToJson(message);
}

}  // namespace lokahi::lokahictl::output
