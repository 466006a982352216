#include "lokahictl/maintenance_commands.h"

#include <google/protobuf/util/time_util.h>

#include "lib/checks/quote.h"
#include "lib/maintenance/weekly_schedule.h"

namespace lokahi::lokahictl {

namespace pb = github::xe::lokahi;

namespace {

FlagSpec TextFlag(std::string name, std::string help) {
  FlagSpec flag;
  flag.name = std::move(name);
  flag.help = std::move(help);
  return flag;
}

const std::string* Flag(const ParsedArgs& args, const std::string& name) {
  const auto it = args.flags.find(name);
  return it == args.flags.end() ? nullptr : &it->second;
}

google::protobuf::Timestamp Rfc3339(const ParsedArgs& args, const std::string& name) {
  google::protobuf::Timestamp at;
  const std::string& text = *Flag(args, name);
  if (!google::protobuf::util::TimeUtil::FromString(text, &at)) {
    throw UsageError("--" + name +
                     " must be an RFC 3339 time like 2026-12-06T02:00:00+01:00, got " +
                     checks::Quote(text));
  }
  return at;
}

}  // namespace

CommandSpec MaintenanceCommand() {
  CommandSpec spec;
  spec.summary =
      "maintenance windows: create (flags below), list, delete ID; during one, checks are probed "
      "but notify nobody and uptime leaves the time out";
  spec.operand = "ACTION";
  spec.operand_choices = {"create", "list", "delete"};
  spec.max_operands = 2;
  spec.flags = {
      TextFlag("selector", "create: checks by label selector, e.g. team=payments,env!=dev"),
      TextFlag("check", "create: checks by id, comma-separated"),
      TextFlag("start", "create: start, RFC 3339 (with --end), e.g. 2026-12-06T02:00:00Z"),
      TextFlag("end", "create: end, RFC 3339 (with --start)"),
      TextFlag("duration", "create: from now for this long: 30m, 2h, 1h30m"),
      TextFlag("weekly", "create: every week, e.g. 'Sun 02:00-04:00 Europe/Paris'"),
      TextFlag("reason", "create: free text shown by list"),
  };
  return spec;
}

pb::MaintenanceWindow MaintenanceCreateRequest(const ParsedArgs& args) {
  pb::MaintenanceWindow request;
  if (const auto* selector = Flag(args, "selector")) request.set_selector(*selector);
  if (const auto* ids = Flag(args, "check")) {
    size_t start = 0;
    while (start <= ids->size()) {
      const size_t comma = std::min(ids->find(',', start), ids->size());
      if (comma > start) request.add_check_ids(ids->substr(start, comma - start));
      start = comma + 1;
    }
  }
  if (request.selector().empty() && request.check_ids().empty()) {
    throw UsageError("maintenance create needs --selector (team=payments) or --check ID[,ID]");
  }
  const bool has_start = Flag(args, "start") != nullptr, has_end = Flag(args, "end") != nullptr;
  const int kinds = (has_start || has_end ? 1 : 0) + (Flag(args, "duration") ? 1 : 0) +
                    (Flag(args, "weekly") ? 1 : 0);
  if (kinds != 1) {
    throw UsageError(
        "maintenance create needs exactly one of --start with --end, --duration or --weekly");
  }
  if (has_start || has_end) {
    if (!has_start || !has_end) throw UsageError("--start and --end go together");
    *request.mutable_start() = Rfc3339(args, "start");
    *request.mutable_end() = Rfc3339(args, "end");
  }
  std::string error;
  if (const auto* text = Flag(args, "duration")) {
    const auto duration = maintenance::ParseDuration(*text, &error);
    if (!duration) throw UsageError("--duration: " + error);
    request.set_duration_seconds(duration->count());
  }
  if (const auto* text = Flag(args, "weekly")) {
    const auto schedule = maintenance::ParseWeekly(*text, &error);
    if (!schedule) throw UsageError(error);
    auto* weekly = request.mutable_weekly();
    weekly->set_weekday(maintenance::WeekdayName(schedule->weekday));
    weekly->set_from(maintenance::MinuteOfDayText(schedule->from_minute));
    weekly->set_to(maintenance::MinuteOfDayText(schedule->to_minute));
    weekly->set_time_zone(schedule->time_zone);
  }
  if (const auto* reason = Flag(args, "reason")) request.set_reason(*reason);
  return request;
}

}  // namespace lokahi::lokahictl
