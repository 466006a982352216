// `lokahictl alert ACTION ...`: push alerts (proto/alerts.proto) from the command line, as
// purple's send-alert did:
//   alert send --id ID --raise +5m [--subject S] [--detail D] [--source SRC]   (exit 0 = stored)
//   alert list [--state raised] [--source SRC] [--id-prefix P] [--count N] [--page-token T]
//   alert get ID | alert ack ID --for 2h --note ... | alert clear ID | alert raise ID
//   alert deliveries ID   (its notifications: attempts, last answer, delivered or given up)
// An ID alone names an alert when one source has it; otherwise --source SRC picks one.

#include <algorithm>
#include <map>
#include <set>

#include "lib/alerts/alert.h"
#include "lib/alerts/raise_spec.h"
#include "lib/checks/quote.h"
#include "lokahictl/commands.h"

namespace lokahi::lokahictl {

namespace pb = github::xe::lokahi;

namespace {

FlagSpec AlertFlag(std::string name, std::string help, std::vector<std::string> choices = {}) {
  FlagSpec flag;
  flag.name = std::move(name);
  flag.help = std::move(help);
  flag.choices = std::move(choices);
  return flag;
}

// The flags each action takes; any other is a usage error naming the action it belongs to.
const std::map<std::string, std::set<std::string>>& ActionFlags() {
  static const std::map<std::string, std::set<std::string>> kActions = {
      {"send",
       {"id", "raise", "subject", "detail", "source", "importance", "webhook-url", "webhook-format",
        "suppress-until"}},
      {"list", {"state", "source", "id-prefix", "count", "page-token"}},
      {"get", {"source"}},
      {"ack", {"source", "for", "note", "by"}},
      {"clear", {"source"}},
      {"raise", {"source"}},
      {"deliveries", {"source"}},
  };
  return kActions;
}

std::string Flag(const ParsedArgs& args, const std::string& name) {
  const auto it = args.flags.find(name);
  return it == args.flags.end() ? "" : it->second;
}

// FAILED_PRECONDITION for an ambiguous id says how to pick one on this command line.
grpc::Status WithSourceHint(grpc::Status status) {
  constexpr std::string_view kServerHint = "name one with source";
  std::string message = status.error_message();
  const auto at = message.rfind(kServerHint);
  if (status.error_code() != grpc::StatusCode::FAILED_PRECONDITION || at == std::string::npos) {
    return status;
  }
  message.replace(at, kServerHint.size(), "name one with --source SRC");
  return grpc::Status(status.error_code(), message);
}

}  // namespace

CommandSpec AlertCommandSpec() {
  CommandSpec spec;
  spec.summary =
      "push alerts: send, list, get ID, ack ID, clear ID, raise ID, deliveries ID (see lokahictl "
      "alert --help)";
  spec.operand = "ACTION";
  spec.max_operands = 2;
  spec.operand_choices = {"send", "list", "get", "ack", "clear", "raise", "deliveries"};
  spec.flags = {
      AlertFlag("id", "send: the alert's id (1-200 printable characters)"),
      AlertFlag("raise", "send: now, clear, +N with s|m|h|d (+5m), or a Unix time"),
      AlertFlag("subject", "send: one line (at most 512 bytes)"),
      AlertFlag("detail", "send: text (at most 8 KB)"),
      AlertFlag("source",
                "the alert's source (send: default the address lokahid sees; get/ack/clear/raise/"
                "deliveries: "
                "needed when several sources have the ID; list: only this source)"),
      AlertFlag("importance", "send: low, normal (default) or urgent", {"low", "normal", "urgent"}),
      AlertFlag("webhook-url", "send: where its notifications go (admin credentials only)"),
      AlertFlag("webhook-format", "send: json (default) or protobuf", {"json", "protobuf"}),
      AlertFlag("suppress-until", "send: no notifications before +N s|m|h|d or a Unix time"),
      AlertFlag("state", "list: only alerts in this state",
                {"pending", "raised", "acknowledged", "cleared"}),
      AlertFlag("id-prefix", "list: only ids starting with this"),
      AlertFlag("page-token", "list: continue after an earlier page (its next_page_token)"),
      AlertFlag("for", "ack: how long, like 30m or 2h (default 1h, at most 30d)"),
      AlertFlag("note", "ack: why, for the others"),
      AlertFlag("by", "ack: who (default the user of the credentials)"),
  };
  FlagSpec count;
  count.name = "count";
  count.help = "list: alerts per page (default 50, max 1000)";
  count.kind = FlagSpec::Kind::kInt;
  count.min = 0;
  count.max = 1000;
  spec.flags.push_back(count);
  return spec;
}

int Commands::Alert(const ParsedArgs& args) {
  if (args.positional.empty()) {
    throw UsageError(
        "lokahictl alert needs an action: send, list, get, ack, clear, raise or deliveries");
  }
  const std::string& action = args.positional[0];
  const auto allowed = ActionFlags().find(action);
  if (allowed == ActionFlags().end()) {
    throw UsageError("unknown alert action " + checks::Quote(action) +
                     ": use send, list, get, ack, clear, raise or deliveries");
  }
  for (const auto& [name, value] : args.flags) {
    if (allowed->second.contains(name)) continue;
    std::string owners;
    for (const auto& [other, flags] : ActionFlags()) {
      if (flags.contains(name)) owners += (owners.empty() ? "" : ", ") + other;
    }
    throw UsageError("--" + name + " is not for alert " + action +
                     (owners.empty() ? "" : " (it is for alert " + owners + ")"));
  }
  const bool takes_id = action != "send" && action != "list";
  if (takes_id && args.positional.size() != 2) {
    throw UsageError("lokahictl alert " + action + " takes exactly one alert ID");
  }
  if (!takes_id && args.positional.size() != 1) {
    throw UsageError("lokahictl alert " + action + " takes no operand" +
                     (action == "send" ? ": give the id with --id" : ""));
  }

  if (action == "send") {
    pb::AlertSubmission submission;
    submission.set_id(Flag(args, "id"));
    if (submission.id().empty()) throw UsageError("lokahictl alert send needs --id ID");
    submission.set_raise(Flag(args, "raise"));
    std::string why;
    if (!alerts::ParseRaise(submission.raise(), std::chrono::system_clock::now(), &why)) {
      throw UsageError(
          "--raise " + why +
          (submission.raise().empty() ? "" : ", got " + checks::Quote(submission.raise())));
    }
    submission.set_subject(Flag(args, "subject"));
    submission.set_detail(Flag(args, "detail"));
    submission.set_source(Flag(args, "source"));
    if (const auto importance = alerts::ParseImportance(Flag(args, "importance"))) {
      submission.set_importance(static_cast<pb::Alert::Importance>(*importance));
    }
    submission.set_webhook_url(Flag(args, "webhook-url"));
    if (const auto format = Flag(args, "webhook-format"); !format.empty()) {
      submission.set_webhook_format(format == "protobuf" ? pb::WEBHOOK_FORMAT_PROTOBUF
                                                         : pb::WEBHOOK_FORMAT_JSON);
    }
    submission.set_suppress_until(Flag(args, "suppress-until"));
    pb::SubmitAlertsRequest request;
    *request.add_alerts() = submission;
    pb::SubmitAlertsResponse response;
    return Print(alerts_stub_->Submit(NewContext().get(), request, &response), response);
  }
  if (action == "list") {
    pb::ListAlertsRequest request;
    if (const auto state = alerts::ParseState(Flag(args, "state"))) {
      request.set_state(static_cast<pb::Alert::State>(*state));
    }
    request.set_source(Flag(args, "source"));
    request.set_id_prefix(Flag(args, "id-prefix"));
    request.set_count(IntFlag(args, "count", 0));
    request.set_page_token(Flag(args, "page-token"));
    pb::AlertsPage response;
    return Print(alerts_stub_->List(NewContext().get(), request, &response), response);
  }

  pb::AlertRef ref;
  ref.set_id(args.positional[1]);
  ref.set_source(Flag(args, "source"));
  if (action == "deliveries") {
    pb::AlertDeliveriesPage deliveries;
    return Print(WithSourceHint(alerts_stub_->Deliveries(NewContext().get(), ref, &deliveries)),
                 deliveries);
  }
  pb::Alert response;
  if (action == "get") {
    return Print(WithSourceHint(alerts_stub_->Get(NewContext().get(), ref, &response)), response);
  }
  if (action == "clear") {
    return Print(WithSourceHint(alerts_stub_->Clear(NewContext().get(), ref, &response)), response);
  }
  if (action == "raise") {
    return Print(WithSourceHint(alerts_stub_->Raise(NewContext().get(), ref, &response)), response);
  }
  pb::AcknowledgeAlertRequest request;
  request.set_id(ref.id());
  request.set_source(ref.source());
  if (const auto ack_for = Flag(args, "for"); !ack_for.empty()) {
    std::string why;
    const auto duration = alerts::ParseDuration(ack_for, &why);
    if (!duration) throw UsageError("--for " + why + ", got " + checks::Quote(ack_for));
    request.set_for_seconds(duration->count());
  }
  request.set_note(Flag(args, "note"));
  request.set_by(Flag(args, "by"));
  return Print(WithSourceHint(alerts_stub_->Acknowledge(NewContext().get(), request, &response)),
               response);
}

}  // namespace lokahi::lokahictl
