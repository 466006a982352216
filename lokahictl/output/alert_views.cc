#include "lokahictl/output/alert_views.h"

#include "alerts.pb.h"
#include "lokahictl/output/renderer.h"
#include "lokahictl/output/text_table.h"

namespace lokahi::lokahictl::output {

namespace pb = github::xe::lokahi;
using std::chrono::seconds;

namespace {

constexpr size_t kShortSubject = 40;
constexpr size_t kShortError = 60;

std::string StateColor(pb::Alert::State state) {
  switch (state) {
    case pb::Alert::RAISED:
      return "31";  // red
    case pb::Alert::ACKNOWLEDGED:
      return "33";  // yellow
    case pb::Alert::CLEARED:
      return "32";  // green
    default:
      return "2";  // dim
  }
}

class AlertViews {
 public:
  AlertViews(const TableStyle& style, bool wide) : style_(style), wide_(wide) {}

  void Page(const google::protobuf::RepeatedPtrField<pb::Alert>& alerts,
            const std::string& next_page_token, std::ostream& out) const {
    if (alerts.empty()) {
      out << "no alerts\n";
      return;
    }
    TextTable table(wide_ ? std::vector<std::string>{"SOURCE", "ID", "STATE", "RAISE", "NOTIFIED",
                                                     "ACK", "SUBJECT", "WEBHOOK"}
                          : std::vector<std::string>{"SOURCE", "ID", "STATE", "RAISE", "SUBJECT"});
    for (const auto& a : alerts) {
      std::vector<Cell> row = {a.source(), a.id(), State(a), Raise(a)};
      if (wide_) {
        row.emplace_back(std::to_string(a.notify_count()));
        row.emplace_back(Ack(a));
      }
      row.emplace_back(wide_ ? Or(a.subject()) : Or(Shortened(a.subject(), kShortSubject)));
      if (wide_) row.emplace_back(Or(a.webhook_url()));
      table.AddRow(std::move(row));
    }
    table.Print(out, style_.color);
    if (!next_page_token.empty()) out << "\nnext page: --page-token " << next_page_token << "\n";
  }

  void One(const pb::Alert& a, std::ostream& out) const {
    TextTable fields;
    fields.AddRow({"SOURCE", a.source()});
    fields.AddRow({"ID", a.id()});
    fields.AddRow({"STATE", State(a)});
    fields.AddRow({"RAISE", Raise(a)});
    fields.AddRow({"SUBJECT", Or(a.subject())});
    fields.AddRow({"DETAIL", Or(a.detail())});
    fields.AddRow({"IMPORTANCE", pb::Alert::Importance_Name(a.importance())});
    fields.AddRow({"NOTIFIED", std::to_string(a.notify_count()) + " times, last " +
                                   Ago(a.has_last_notified_at(), a.last_notified_at())});
    if (a.state() == pb::Alert::ACKNOWLEDGED) fields.AddRow({"ACK", Ack(a)});
    fields.AddRow(
        {"WEBHOOK", Or(a.webhook_url()) + " (" +
                        (a.webhook_format() == pb::WEBHOOK_FORMAT_JSON ? "json" : "protobuf") +
                        ")"});
    if (a.has_suppress_until()) fields.AddRow({"SUPPRESSED", "until " + When(a.suppress_until())});
    fields.AddRow({"CREATED", Ago(a.has_created_at(), a.created_at())});
    fields.AddRow({"UPDATED", Ago(a.has_updated_at(), a.updated_at())});
    fields.Print(out, style_.color);
  }

  void Deliveries(const pb::AlertDeliveriesPage& page, std::ostream& out) const {
    if (page.deliveries_size() == 0) {
      out << "no notifications\n";
      return;
    }
    TextTable table(wide_
                        ? std::vector<std::string>{"WEBHOOK ID", "KIND", "AT", "OUTCOME",
                                                   "ATTEMPTS", "HTTP", "DELIVERED", "NEXT", "ERROR"}
                        : std::vector<std::string>{"WEBHOOK ID", "KIND", "AT", "OUTCOME",
                                                   "ATTEMPTS", "HTTP", "ERROR"});
    for (const auto& d : page.deliveries()) {
      std::string outcome = d.outcome();
      if (outcome == "failed") outcome = "failed (given up)";
      std::vector<Cell> row = {
          d.webhook_id(),
          pb::AlertStatus::Kind_Name(d.kind()),
          Ago(d.has_notified_at(), d.notified_at()),
          Cell(outcome, OutcomeColor(d.outcome())),
          std::to_string(d.attempts()),
          d.last_status_code() != 0 ? std::to_string(d.last_status_code()) : "-"};
      if (wide_) {
        row.emplace_back(Ago(d.has_delivered_at(), d.delivered_at()));
        row.emplace_back(Ago(d.has_next_attempt_at(), d.next_attempt_at()));
      }
      row.emplace_back(wide_ ? Or(d.last_error()) : Or(Shortened(d.last_error(), kShortError)));
      table.AddRow(std::move(row));
    }
    table.Print(out, style_.color);
  }

 private:
  static std::string Or(const std::string& text) { return text.empty() ? "-" : text; }

  seconds Since(const google::protobuf::Timestamp& at) const {
    const auto then = std::chrono::system_clock::time_point(seconds(at.seconds()));
    return std::chrono::duration_cast<seconds>(style_.now - then);
  }
  std::string When(const google::protobuf::Timestamp& at) const {
    const seconds since = Since(at);
    if (since < seconds(0)) return "in " + RoughDuration(-since);
    return RoughDuration(since) + " ago";
  }
  std::string Ago(bool set, const google::protobuf::Timestamp& at) const {
    return set ? When(at) : "-";
  }
  Cell State(const pb::Alert& a) const {
    std::string text = pb::Alert::State_Name(a.state());
    if (a.has_state_changed_at()) {
      text += " for " + RoughDuration(std::max(seconds(0), Since(a.state_changed_at())));
    }
    return Cell(text, StateColor(a.state()));
  }
  std::string Raise(const pb::Alert& a) const {
    if (!a.has_raise_at()) return "-";
    return (a.state() == pb::Alert::PENDING ? "" : "raised ") + When(a.raise_at());
  }
  std::string Ack(const pb::Alert& a) const {
    if (a.state() != pb::Alert::ACKNOWLEDGED) return "-";
    std::string text = "by " + a.acknowledged_by() + " until " + When(a.acknowledged_until());
    if (!a.ack_note().empty()) text += ": " + a.ack_note();
    return text;
  }

  const TableStyle& style_;
  bool wide_;
};

}  // namespace

bool PrintAlertTable(const google::protobuf::Message& message, const TableStyle& style, bool wide,
                     std::ostream& out) {
  const AlertViews views(style, wide);
  if (const auto* page = dynamic_cast<const pb::AlertsPage*>(&message)) {
    views.Page(page->alerts(), page->next_page_token(), out);
    return true;
  }
  if (const auto* submitted = dynamic_cast<const pb::SubmitAlertsResponse*>(&message)) {
    views.Page(submitted->alerts(), "", out);
    return true;
  }
  if (const auto* deliveries = dynamic_cast<const pb::AlertDeliveriesPage*>(&message)) {
    views.Deliveries(*deliveries, out);
    return true;
  }
  if (const auto* alert = dynamic_cast<const pb::Alert*>(&message)) {
    views.One(*alert, out);
    return true;
  }
  return false;
}

}  // namespace lokahi::lokahictl::output
