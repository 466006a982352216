#pragma once
// Tables for push alerts (proto/alerts.proto): AlertsPage, Alert and SubmitAlertsResponse. States
// print as PENDING, RAISED, ACKNOWLEDGED, CLEARED, coloured; times relative to the style's `now`.

#include <google/protobuf/message.h>

#include <ostream>

#include "lokahictl/output/renderer.h"

namespace lokahi::lokahictl::output {

// Prints `message` as a table and returns true when it is one of the alert messages.
bool PrintAlertTable(const google::protobuf::Message& message, const TableStyle& style, bool wide,
                     std::ostream& out);

}  // namespace lokahi::lokahictl::output
