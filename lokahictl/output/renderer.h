#pragma once
// Prints lokahid's answers in the format asked for. Tables are for people: states coloured (when
// the terminal takes colours) and times relative to `now` ("DOWN for 3m", "12s ago").

#include <google/protobuf/message.h>

#include <chrono>
#include <ostream>
#include <string>

#include "lokahictl/output/format.h"

namespace lokahi::lokahictl::output {

struct TableStyle {
  std::chrono::system_clock::time_point now;  // relative times are computed against it
  bool color = false;                         // ANSI colours, for terminals
};

class Renderer final {
 public:
  Renderer(Format format, TableStyle style);
  // Table and wide know ChecksPage, Check, CheckStatus, DeliveriesPage, PipelineStats, the alert
  // messages (AlertsPage, Alert, SubmitAlertsResponse) and maintenance windows; any other message
  // prints as JSON.
  void Print(const google::protobuf::Message& message, std::ostream& out) const;
  Format format() const { return format_; }

 private:
  Format format_;
  TableStyle style_;
};

// "45s", "3m", "5h", "12d": the largest whole unit, for durations people skim.
std::string RoughDuration(std::chrono::seconds duration);

// The colour of a webhook delivery's outcome (delivered, failed, pending) in tables.
std::string OutcomeColor(const std::string& outcome);

}  // namespace lokahi::lokahictl::output
