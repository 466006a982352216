#include "lokahid/checks_service.h"

#include "lokahid/convert.h"
#include "lokahid/guarded_call.h"
#include "lokahid/page_token.h"

namespace lokahi::lokahid {

namespace pb = github::xe::lokahi;

namespace {
grpc::Status Invalid(const std::string& message) {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, message);
}

std::optional<checks::CheckId> ParseId(const std::string& text, grpc::Status* error) {
  auto id = checks::CheckId::Parse(text);
  if (!id) {
    *error = Invalid(text.empty() ? "id is required"
                                  : "id must be a UUID like 8f14e45f-ceea-467f-a0e6-6ad2c3e1a9f1, "
                                    "got \"" + text + "\"");
  }
  return id;
}

grpc::Status NotFound(const checks::CheckId& id) {
  return grpc::Status(grpc::StatusCode::NOT_FOUND, "no check with id " + id.str());
}
}  // namespace

ChecksService::ChecksService(Collaborators collaborators, ChecksServiceOptions options,
                             logging::Logger& log)
    : store_(collaborators.store),
      status_(collaborators.status),
      pipeline_(collaborators.pipeline),
      run_now_(collaborators.run_now),
      options_(std::move(options)),
      log_(log) {}

template <typename Body>
grpc::Status ChecksService::Guarded(grpc::ServerContext* context, const char* method, Body&& body) {
  return GuardedCall(context, options_.credentials, log_, method, std::forward<Body>(body));
}

grpc::Status ChecksService::Create(grpc::ServerContext* context, const pb::CreateOpts* request,
                                   pb::Check* response) {
  return Guarded(context, "Create", [&] {
    auto options = OptionsFromCreate(*request);
    checks::ApplyDefaults(options);
    if (auto problem = checks::Validate(options, options_.limits)) return Invalid(*problem);
    *response = CheckToProto(store_.Create(options));
    return grpc::Status::OK;
  });
}

grpc::Status ChecksService::Get(grpc::ServerContext* context, const pb::CheckID* request,
                                pb::Check* response) {
  return Guarded(context, "Get", [&] {
    grpc::Status error;
    const auto id = ParseId(request->id(), &error);
    if (!id) return error;
    const auto check = store_.Get(*id);
    if (!check) return NotFound(*id);
    *response = CheckToProto(*check);
    return grpc::Status::OK;
  });
}

grpc::Status ChecksService::List(grpc::ServerContext* context, const pb::ListOpts* request,
                                 pb::ChecksPage* response) {
  return Guarded(context, "List", [&] {
    int count = request->count() == 0 ? kDefaultListCount : request->count();
    if (count < 1 || count > kMaxListCount) {
      return Invalid("count must be between 1 and " + std::to_string(kMaxListCount) + ", got " +
                     std::to_string(request->count()));
    }
    if (request->offset() < 0) {
      return Invalid("offset must be 0 or more, got " + std::to_string(request->offset()));
    }
    std::optional<store::ListCursor> after;
    if (!request->page_token().empty()) {
      after = ParsePageToken(request->page_token());
      if (!after) {
        return Invalid("page_token is not one this server issued: pass a next_page_token"
                       " from an earlier List unchanged");
      }
    }
    const auto page = store_.List(count, request->offset(), after);
    for (const auto& check : page.checks) {
      *response->add_results()->mutable_check() = CheckToProto(check);
    }
    response->set_total(page.total);
    if (page.checks.size() == static_cast<size_t>(count)) {
      response->set_next_page_token(PageTokenAfter(page.checks.back()));
    }
    return grpc::Status::OK;
  });
}

grpc::Status ChecksService::Put(grpc::ServerContext* context, const pb::Check* request,
                                pb::Check* response) {
  return Guarded(context, "Put", [&] {
    grpc::Status error;
    const auto id = ParseId(request->id(), &error);
    if (!id) return error;
    // Merged and validated under the check's row lock: concurrent Puts of different fields
    // both land.
    const auto outcome = store_.Modify(*id, [&](checks::CheckOptions& options) {
      if (auto problem = ApplyPut(*request, options)) return problem;
      checks::ApplyDefaults(options);
      return checks::Validate(options, options_.limits);
    });
    if (!outcome.found) return NotFound(*id);
    if (outcome.refused) return Invalid(*outcome.refused);
    *response = CheckToProto(*outcome.check);
    return grpc::Status::OK;
  });
}

grpc::Status ChecksService::Delete(grpc::ServerContext* context, const pb::CheckID* request,
                                   pb::Check* response) {
  return Guarded(context, "Delete", [&] {
    grpc::Status error;
    const auto id = ParseId(request->id(), &error);
    if (!id) return error;
    const auto deleted = store_.Delete(*id);
    if (!deleted) return NotFound(*id);
    *response = CheckToProto(*deleted);
    return grpc::Status::OK;
  });
}

grpc::Status ChecksService::Status(grpc::ServerContext* context, const pb::CheckID* request,
                                   pb::CheckStatus* response) {
  return Guarded(context, "Status", [&] {
    grpc::Status error;
    const auto id = ParseId(request->id(), &error);
    if (!id) return error;
    const auto check = store_.Get(*id);
    if (!check) return NotFound(*id);
    *response->mutable_check() = CheckToProto(*check);
    HistogramToProto(status_.HistogramFor(*id, std::chrono::hours(24)),
                     response->mutable_histogram_data());
    const auto uptime = status_.UptimeRatiosFor(*id);
    response->set_uptime_24h(uptime.last_24h);
    response->set_uptime_7d(uptime.last_7d);
    response->set_uptime_30d(uptime.last_30d);
    response->set_uptime_probes_24h(uptime.probes_24h);
    response->set_uptime_probes_7d(uptime.probes_7d);
    response->set_uptime_probes_30d(uptime.probes_30d);
    LastProbeToProto(pipeline_.LastProbeOf(*id), response);
    return grpc::Status::OK;
  });
}

grpc::Status ChecksService::Run(grpc::ServerContext* context, const pb::CheckID* request,
                                pb::CheckStatus* response) {
  return Guarded(context, "Run", [&] {
    grpc::Status error;
    const auto id = ParseId(request->id(), &error);
    if (!id) return error;
    const auto check = store_.Get(*id);
    if (!check) return NotFound(*id);
    const auto outcome = run_now_.Probe(*check);
    if (!outcome) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                          "no healthworker answered: is one running and connected to NATS?");
    }
    *response->mutable_check() = CheckToProto(*check);
    ProbeOutcomeToProto(*outcome, response);
    return grpc::Status::OK;
  });
}

grpc::Status ChecksService::RunStats(grpc::ServerContext* context, const pb::Nil*,
                                     pb::PipelineStats* response) {
  return Guarded(context, "RunStats", [&] {
    PipelineStatsToProto(pipeline_.RunStats(), response);
    return grpc::Status::OK;
  });
}

grpc::Status ChecksService::Deliveries(grpc::ServerContext* context, const pb::CheckID* request,
                                       pb::DeliveriesPage* response) {
  return Guarded(context, "Deliveries", [&] {
    grpc::Status error;
    const auto id = ParseId(request->id(), &error);
    if (!id) return error;
    if (!store_.Get(*id)) return NotFound(*id);
    for (const auto& row : pipeline_.Deliveries(*id, 100)) {
      DeliveryToProto(row, response->add_deliveries());
    }
    return grpc::Status::OK;
  });
}

}  // namespace lokahi::lokahid
