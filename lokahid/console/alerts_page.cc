#include "lokahid/console/alerts_page.h"

namespace lokahi::lokahid {

namespace pb = github::xe::lokahi;

namespace {

void Hidden(Html& h, Markup name, const std::string& value) {
  h << "<input type=\"hidden\" name=\"" << name << "\" value=\"";
  h.Text(value) << "\">";
}

void KeyFields(Html& h, const pb::Alert& a, const PageContext& context) {
  Hidden(h, "csrf", context.csrf);
  Hidden(h, "id", a.id());
  Hidden(h, "source", a.source());
}

void Row(Html& h, const pb::Alert& a, const PageContext& context) {
  h << "<tr data-alert=\"";
  h.Text(a.source() + "/" + a.id()) << "\"><td class=\"subject\">";
  h.Text(a.subject().empty() ? a.id() : a.subject());
  if (a.importance() == pb::Alert::URGENT) h << " <span class=\"urgent\">urgent</span>";
  h << "</td><td class=\"key\">";
  h.Text(a.source()) << " / ";
  h.Text(a.id()) << "</td><td class=\"detail\">";
  h.Text(a.detail()) << "</td><td>";
  if (a.state() == pb::Alert::PENDING && a.has_raise_at()) {
    h << "raises ";
    h.Text(FormatUtc(a.raise_at().seconds()));
  } else if (a.has_raise_at()) {
    h << "since ";
    h.Text(FormatUtc(a.raise_at().seconds())) << " (for ";
    h.Text(FormatDuration(context.now_unix_s - a.raise_at().seconds())) << ")";
  }
  if (a.state() == pb::Alert::ACKNOWLEDGED) {
    h << "<br>acknowledged by ";
    h.Text(a.acknowledged_by()) << " until ";
    h.Text(FormatUtc(a.acknowledged_until().seconds()));
    if (!a.ack_note().empty()) {
      h << ": <q class=\"note\">";
      h.Text(a.ack_note()) << "</q>";
    }
  }
  h << "</td><td class=\"alert-actions\">";
  if (a.state() == pb::Alert::RAISED) {
    h << "<form method=\"post\" action=\"/alerts/ack\" class=\"ack\">";
    KeyFields(h, a, context);
    h << "<select name=\"for\" aria-label=\"for how long\">";
    for (const auto& [seconds, label] : AckDurations()) {
      h << "<option value=\"";
      h.Text(seconds) << "\"";
      if (seconds == 3600) h << " selected";
      h << ">";
      h.Text(label) << "</option>";
    }
    h << "</select><input name=\"note\" placeholder=\"note\" maxlength=\"1000\">"
         "<button type=\"submit\">Acknowledge</button></form>";
  }
  if (a.state() != pb::Alert::CLEARED) {
    h << "<form method=\"post\" action=\"/alerts/clear\" class=\"clear\">";
    KeyFields(h, a, context);
    h << "<button type=\"submit\">Clear</button></form>";
  }
  h << "</td></tr>";
}

void Section(Html& h, Markup title, Markup css, const std::vector<pb::Alert>& alerts,
             const PageContext& context) {
  h << "<section class=\"" << css << "\"><h2>" << title << " (";
  h.Text(static_cast<long long>(alerts.size())) << ")</h2>";
  if (alerts.empty()) {
    h << "<p class=\"calm\">None.</p></section>";
    return;
  }
  h << "<table class=\"alerts\"><thead><tr><th>Subject</th><th>Source / id</th><th>Detail</th>"
       "<th>When</th><th></th></tr></thead><tbody>";
  for (const auto& a : alerts) Row(h, a, context);
  h << "</tbody></table></section>";
}

}  // namespace

const std::vector<std::pair<int64_t, std::string>>& AckDurations() {
  static const std::vector<std::pair<int64_t, std::string>> kDurations = {{900, "15 minutes"},
                                                                          {3600, "1 hour"},
                                                                          {4 * 3600, "4 hours"},
                                                                          {86400, "1 day"},
                                                                          {7 * 86400, "7 days"}};
  return kDurations;
}

Html AlertsPageBody(const AlertsPageData& data, const PageContext& context) {
  Html h;
  if (data.notice) {
    h << "<p class=\"notice\" role=\"status\">";
    h.Text(*data.notice) << "</p>";
  }
  h << "<h1>Alerts</h1>";
  Section(h, "Raised", "raised", data.raised, context);
  Section(h, "Acknowledged", "acknowledged", data.acknowledged, context);
  Section(h, "Pending", "pending", data.pending, context);
  return h;
}

Html RaisedAlertsSummary(const std::vector<pb::Alert>& raised, int64_t now_unix_s) {
  Html h;
  if (raised.empty()) return h;
  h << "<h2>Raised alerts</h2><table class=\"raised-alerts\"><tbody>";
  for (const auto& a : raised) {
    h << "<tr><td><a href=\"/alerts\">";
    h.Text(a.subject().empty() ? a.id() : a.subject()) << "</a></td><td>";
    h.Text(a.source()) << "</td><td>since ";
    h.Text(FormatUtc(a.raise_at().seconds())) << " (for ";
    h.Text(FormatDuration(now_unix_s - a.raise_at().seconds())) << ")</td></tr>";
  }
  h << "</tbody></table>";
  return h;
}

}  // namespace lokahi::lokahid
