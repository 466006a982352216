#include "lokahid/service/maintenance_api.h"

#include "lib/checks/check.h"
#include "lib/checks/quote.h"
#include "lib/labels/label_selector.h"
#include "lokahid/convert.h"
#include "lokahid/service/guarded.h"

namespace lokahi::lokahid {

namespace pb = github::xe::lokahi;

namespace {

ApiStatus Invalid(std::string message) { return {ApiCode::kInvalidArgument, std::move(message)}; }

store::TimePoint FromProto(const google::protobuf::Timestamp& t) {
  return store::TimePoint(std::chrono::duration_cast<store::TimePoint::duration>(
      std::chrono::seconds(t.seconds()) + std::chrono::nanoseconds(t.nanos())));
}

void SetTime(google::protobuf::Timestamp* out, store::TimePoint t) {
  SetTimestampMicros(
      out, std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count());
}

// Timestamps between 1970 and 9999, as Postgres and the protobuf mapping both hold them.
bool PlausibleTime(const google::protobuf::Timestamp& t) {
  return t.seconds() >= 0 && t.seconds() < 253402300800LL && t.nanos() >= 0 &&
         t.nanos() < 1000000000;
}

}  // namespace

std::optional<store::NewMaintenanceWindow> NewWindowFromProto(const pb::MaintenanceWindow& request,
                                                              std::string* problem) {
  const auto fail = [&](std::string message) -> std::optional<store::NewMaintenanceWindow> {
    *problem = std::move(message);
    return std::nullopt;
  };
  store::NewMaintenanceWindow window;
  if (!request.id().empty()) return fail("id is chosen by the server: leave it empty");
  std::string error;
  const auto selector = labels::ParseSelector(request.selector(), &error);
  if (!selector) return fail(error);
  window.selector = selector->ToString();
  window.selector_json = selector->ToJson();
  if (static_cast<size_t>(request.check_ids_size()) > kMaxMaintenanceCheckIds) {
    return fail("check_ids may name at most " + std::to_string(kMaxMaintenanceCheckIds) +
                " checks, got " + std::to_string(request.check_ids_size()));
  }
  for (const auto& text : request.check_ids()) {
    const auto id = checks::CheckId::Parse(text);
    if (!id) {
      return fail("check_ids must be UUIDs like 8f14e45f-ceea-467f-a0e6-6ad2c3e1a9f1, got " +
                  checks::Quote(text));
    }
    window.check_ids.push_back(id->str());
  }
  if (selector->empty() && window.check_ids.empty()) {
    return fail("a window needs a selector (team=payments) or check_ids, or both");
  }
  const int kinds = (request.has_start() || request.has_end() ? 1 : 0) +
                    (request.duration_seconds() != 0 ? 1 : 0) + (request.has_weekly() ? 1 : 0);
  if (kinds != 1) {
    return fail("give exactly one of start and end, duration_seconds, or weekly");
  }
  if (request.has_start() || request.has_end()) {
    if (!request.has_start() || !request.has_end()) return fail("start and end go together");
    if (!PlausibleTime(request.start()) || !PlausibleTime(request.end())) {
      return fail("start and end must be between 1970 and 9999");
    }
    window.start = FromProto(request.start());
    window.end = FromProto(request.end());
    if (*window.end <= *window.start) return fail("end must be after start");
    if (*window.end - *window.start > std::chrono::seconds(kMaxMaintenanceSeconds)) {
      return fail("a window lasts at most 366 days");
    }
  }
  if (request.duration_seconds() != 0) {
    if (request.duration_seconds() < 1 || request.duration_seconds() > kMaxMaintenanceSeconds) {
      return fail("duration_seconds must be between 1 and " +
                  std::to_string(kMaxMaintenanceSeconds) + ", got " +
                  std::to_string(request.duration_seconds()));
    }
    window.duration = std::chrono::seconds(request.duration_seconds());
  }
  if (request.has_weekly()) {
    const auto& w = request.weekly();
    maintenance::WeeklySchedule schedule;
    const auto weekday = maintenance::ParseWeekday(w.weekday());
    if (!weekday) return fail("weekly.weekday must be Mon..Sun, got " + checks::Quote(w.weekday()));
    const auto from = maintenance::ParseMinuteOfDay(w.from());
    const auto to = maintenance::ParseMinuteOfDay(w.to());
    if (!from || !to) {
      return fail("weekly.from and weekly.to are HH:MM (00:00-23:59), got " +
                  checks::Quote(w.from()) + " and " + checks::Quote(w.to()));
    }
    schedule = {*weekday, *from, *to, w.time_zone()};
    if (auto invalid = maintenance::ValidateWeekly(schedule)) return fail(*invalid);
    window.weekly = schedule;
  }
  if (request.reason().size() > kMaxMaintenanceReasonBytes) {
    return fail("reason must be at most " + std::to_string(kMaxMaintenanceReasonBytes) +
                " bytes, got " + std::to_string(request.reason().size()));
  }
  window.reason = request.reason();
  return window;
}

void WindowToProto(const store::MaintenanceWindow& in, pb::MaintenanceWindow* out) {
  out->set_id(in.id);
  out->set_selector(in.selector);
  for (const auto& id : in.check_ids) out->add_check_ids(id);
  if (in.start) SetTime(out->mutable_start(), *in.start);
  if (in.end) SetTime(out->mutable_end(), *in.end);
  if (in.weekly) {
    auto* w = out->mutable_weekly();
    w->set_weekday(maintenance::WeekdayName(in.weekly->weekday));
    w->set_from(maintenance::MinuteOfDayText(in.weekly->from_minute));
    w->set_to(maintenance::MinuteOfDayText(in.weekly->to_minute));
    w->set_time_zone(in.weekly->time_zone);
  }
  out->set_reason(in.reason);
  SetTime(out->mutable_created_at(), in.created_at);
  out->set_active(in.active);
  if (in.next_start) SetTime(out->mutable_next_start(), *in.next_start);
  if (in.next_end) SetTime(out->mutable_next_end(), *in.next_end);
}

template <typename Body>
ApiStatus MaintenanceApi::Guarded(const Caller& caller, const char* method, Body&& body) {
  ApiStatus status;
  if (!authenticator_.Authenticate(caller, Role::kAdmin, &status)) return status;
  return RunGuarded(log_, caller, method, std::forward<Body>(body));
}

ApiStatus MaintenanceApi::Create(const Caller& caller, const pb::MaintenanceWindow& request,
                                 pb::MaintenanceWindow* response) {
  return Guarded(caller, "Maintenance.Create", [&] {
    std::string problem;
    const auto window = NewWindowFromProto(request, &problem);
    if (!window) return Invalid(problem);
    try {
      WindowToProto(store_.Create(*window), response);
    } catch (const store::MaintenanceRefused& e) {
      return Invalid(e.what());
    }
    return ApiStatus::Ok();
  });
}

ApiStatus MaintenanceApi::List(const Caller& caller, const pb::MaintenanceListOpts&,
                               pb::MaintenanceWindows* response) {
  return Guarded(caller, "Maintenance.List", [&] {
    for (const auto& window : store_.List(kMaxMaintenanceWindowsListed)) {
      WindowToProto(window, response->add_windows());
    }
    return ApiStatus::Ok();
  });
}

ApiStatus MaintenanceApi::Delete(const Caller& caller, const pb::MaintenanceWindowID& request,
                                 pb::MaintenanceWindow* response) {
  return Guarded(caller, "Maintenance.Delete", [&] {
    const auto id = checks::CheckId::Parse(request.id());
    if (!id) {
      return Invalid(request.id().empty()
                         ? "id is required"
                         : "id must be a UUID like 8f14e45f-ceea-467f-a0e6-6ad2c3e1a9f1, got " +
                               checks::Quote(request.id()));
    }
    const auto deleted = store_.Delete(id->str());
    if (!deleted) {
      return ApiStatus{ApiCode::kNotFound, "no maintenance window with id " + id->str()};
    }
    WindowToProto(*deleted, response);
    return ApiStatus::Ok();
  });
}

}  // namespace lokahi::lokahid
