#pragma once
// The console's push-alerts page: what is raised, acknowledged and pending, with forms to
// acknowledge for a while (with a note) and to clear. A pure function of what AlertsApi returned.

#include <vector>

#include "alerts.pb.h"
#include "lokahid/console/console_pages.h"
#include "lokahid/console/html.h"

namespace lokahi::lokahid {

struct AlertsPageData {
  std::vector<github::xe::lokahi::Alert> raised, acknowledged, pending;
  std::optional<std::string> notice;
};

Html AlertsPageBody(const AlertsPageData& data, const PageContext& context);
// Raised alerts for the overview's "failing now" part (no forms).
Html RaisedAlertsSummary(const std::vector<github::xe::lokahi::Alert>& raised, int64_t now_unix_s);

// The durations the acknowledge form offers, in seconds.
const std::vector<std::pair<int64_t, std::string>>& AckDurations();

}  // namespace lokahi::lokahid
