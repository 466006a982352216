#include "lokahid/service/checks_api.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <pqxx/except>
#include <random>

#include "lib/checks/quote.h"
#include "lib/labels/label_selector.h"
#include "lib/postgres/connection_pool.h"
#include "lib/webhook/check_status_body.h"
#include "lokahid/convert.h"
#include "lokahid/page_token.h"
#include "lokahid/service/guarded.h"

namespace lokahi::lokahid {

namespace pb = github::xe::lokahi;

namespace {
ApiStatus Invalid(std::string message) { return {ApiCode::kInvalidArgument, std::move(message)}; }

std::optional<checks::CheckId> ParseId(const std::string& text, ApiStatus* error) {
  auto id = checks::CheckId::Parse(text);
  if (!id) {
    *error = Invalid(text.empty() ? "id is required"
                                  : "id must be a UUID like 8f14e45f-ceea-467f-a0e6-6ad2c3e1a9f1, "
                                    "got " +
                                        checks::Quote(text));
  }
  return id;
}

ApiStatus NotFound(const checks::CheckId& id) {
  return {ApiCode::kNotFound, "no check with id " + id.str()};
}

// A random (version 4) UUID naming one RunLocal run.
std::string RunId() {
  std::random_device random;
  std::array<uint8_t, 16> bytes;
  for (auto& byte : bytes) byte = static_cast<uint8_t>(random());
  bytes[6] = static_cast<uint8_t>((bytes[6] & 0x0f) | 0x40);
  bytes[8] = static_cast<uint8_t>((bytes[8] & 0x3f) | 0x80);
  std::string text;
  constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text += '-';
    text += kHex[bytes[i] >> 4];
    text += kHex[bytes[i] & 0xf];
  }
  return text;
}

}  // namespace

std::optional<store::ListFilter> ListFilterFromProto(const pb::ListOpts& request,
                                                     std::string* problem) {
  store::ListFilter filter;
  if (request.has_state()) {
    if (!pb::Check::State_IsValid(request.state())) {
      *problem = "state must be INIT, UP, DOWN or ERROR, got " + std::to_string(request.state());
      return std::nullopt;
    }
    filter.state = static_cast<checks::State>(request.state());
  }
  const auto selector = labels::ParseSelector(request.selector(), problem);
  if (!selector) return std::nullopt;
  if (!selector->empty()) {
    filter.selector_json = selector->ToJson();
    filter.labels_contained = selector->EqualsJson();
  }
  const std::string& search = request.search();
  if (!search.empty()) {
    if (search.size() < kMinListSearchBytes || search.size() > kMaxListSearchBytes) {
      *problem = "search must be " + std::to_string(kMinListSearchBytes) + " to " +
                 std::to_string(kMaxListSearchBytes) + " bytes, got " +
                 std::to_string(search.size());
      return std::nullopt;
    }
    if (std::any_of(search.begin(), search.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
      *problem = "search must not hold control characters, got " + checks::Quote(search);
      return std::nullopt;
    }
    filter.search = search;
  }
  switch (request.order()) {
    case pb::ListOpts::CREATED:
      break;
    case pb::ListOpts::NAME:
      filter.order = store::ListOrder::kName;
      break;
    case pb::ListOpts::STATE:
      filter.order = store::ListOrder::kStateFailingFirst;
      break;
    case pb::ListOpts::SINCE:
      filter.order = store::ListOrder::kSinceNewest;
      break;
    default:
      *problem = "order must be CREATED, NAME, STATE or SINCE, got " +
                 std::to_string(static_cast<int>(request.order()));
      return std::nullopt;
  }
  return filter;
}

namespace {

ApiStatus NoHealthworker() {
  return {ApiCode::kUnavailable, "no healthworker answered: is one running and connected to NATS?"};
}
}  // namespace

ChecksApi::ChecksApi(Collaborators collaborators, ChecksApiOptions options, logging::Logger& log)
    : store_(collaborators.store),
      status_(collaborators.status),
      pipeline_(collaborators.pipeline),
      run_now_(collaborators.run_now),
      throttle_(collaborators.throttle),
      options_(std::move(options)),
      authenticator_(options_.credentials, std::nullopt, collaborators.throttle),
      log_(log) {}

ApiStatus ChecksApi::Authenticate(const Caller& caller) {
  ApiStatus status;
  if (!authenticator_.Authenticate(caller, Role::kAdmin, &status)) return status;
  return ApiStatus::Ok();
}

template <typename Body>
ApiStatus ChecksApi::Guarded(const Caller& caller, const char* method, Body&& body) {
  if (auto status = Authenticate(caller); !status.ok()) return status;
  return RunGuarded(log_, caller, method, [&]() -> ApiStatus {
    try {
      return body();
    } catch (const store::NameTaken& e) {
      return {ApiCode::kAlreadyExists,
              "another check is named " + checks::Quote(e.name()) + ": names are unique"};
    }
  });
}

ApiStatus ChecksApi::Create(const Caller& caller, const pb::CreateOpts& request,
                            pb::Check* response) {
  return Guarded(caller, "Create", [&] {
    auto options = OptionsFromCreate(request);
    checks::ApplyDefaults(options);
    if (auto problem = checks::Validate(options, options_.limits)) return Invalid(*problem);
    *response = CheckToProto(store_.Create(options));
    return ApiStatus::Ok();
  });
}

ApiStatus ChecksApi::Get(const Caller& caller, const pb::CheckID& request, pb::Check* response) {
  return Guarded(caller, "Get", [&] {
    ApiStatus error;
    const auto id = ParseId(request.id(), &error);
    if (!id) return error;
    const auto check = store_.Get(*id);
    if (!check) return NotFound(*id);
    *response = CheckToProto(*check);
    return ApiStatus::Ok();
  });
}

ApiStatus ChecksApi::List(const Caller& caller, const pb::ListOpts& request,
                          pb::ChecksPage* response) {
  return Guarded(caller, "List", [&] {
    int count = request.count() == 0 ? kDefaultListCount : request.count();
    if (count < 1 || count > kMaxListCount) {
      return Invalid("count must be between 1 and " + std::to_string(kMaxListCount) + ", got " +
                     std::to_string(request.count()));
    }
    if (request.offset() < 0) {
      return Invalid("offset must be 0 or more, got " + std::to_string(request.offset()));
    }
    std::optional<store::ListCursor> after;
    if (!request.page_token().empty()) {
      after = ParsePageToken(request.page_token());
      if (!after) {
        return Invalid(
            "page_token is not one this server issued: pass a next_page_token"
            " from an earlier List unchanged");
      }
    }
    std::string problem;
    const auto filter = ListFilterFromProto(request, &problem);
    if (!filter) return Invalid(problem);
    if (after && after->order != filter->order) {
      return Invalid(
          "page_token continues another order than this request's: pass the same order as the"
          " List that returned it");
    }
    const auto page = store_.List(count, request.offset(), after, *filter);
    for (const auto& check : page.checks) {
      *response->add_results()->mutable_check() = CheckToProto(check);
    }
    response->set_total(page.total);
    if (page.checks.size() == static_cast<size_t>(count) || page.cut_short) {
      response->set_next_page_token(PageTokenAfter(page.checks.back(), filter->order));
    }
    return ApiStatus::Ok();
  });
}

ApiStatus ChecksApi::Put(const Caller& caller, const pb::Check& request, pb::Check* response) {
  return Guarded(caller, "Put", [&] {
    ApiStatus error;
    const auto id = ParseId(request.id(), &error);
    if (!id) return error;
    // Merged and validated under the check's row lock: concurrent Puts of different fields
    // both land.
    const auto outcome = store_.Modify(*id, [&](checks::CheckOptions& options) {
      if (auto problem = ApplyPut(request, options)) return problem;
      checks::ApplyDefaults(options);
      return checks::Validate(options, options_.limits);
    });
    if (!outcome.found) return NotFound(*id);
    if (outcome.refused) return Invalid(*outcome.refused);
    *response = CheckToProto(*outcome.check);
    return ApiStatus::Ok();
  });
}

ApiStatus ChecksApi::Delete(const Caller& caller, const pb::CheckID& request, pb::Check* response) {
  return Guarded(caller, "Delete", [&] {
    ApiStatus error;
    const auto id = ParseId(request.id(), &error);
    if (!id) return error;
    const auto deleted = store_.Delete(*id);
    if (!deleted) return NotFound(*id);
    *response = CheckToProto(*deleted);
    return ApiStatus::Ok();
  });
}

ApiStatus ChecksApi::Status(const Caller& caller, const pb::CheckID& request,
                            pb::CheckStatus* response) {
  return Guarded(caller, "Status", [&] {
    ApiStatus error;
    const auto id = ParseId(request.id(), &error);
    if (!id) return error;
    const auto check = store_.Get(*id);
    if (!check) return NotFound(*id);
    *response->mutable_check() = CheckToProto(*check);
    HistogramToProto(status_.HistogramFor(*id, std::chrono::hours(24)),
                     response->mutable_histogram_data());
    webhook::SetUptime(status_.UptimeRatiosFor(*id), response);
    LastProbeToProto(pipeline_.LastProbeOf(*id), response);
    return ApiStatus::Ok();
  });
}

ApiStatus ChecksApi::Run(const Caller& caller, const pb::CheckID& request,
                         pb::CheckStatus* response) {
  return Guarded(caller, "Run", [&] {
    ApiStatus error;
    const auto id = ParseId(request.id(), &error);
    if (!id) return error;
    const auto check = store_.Get(*id);
    if (!check) return NotFound(*id);
    const auto outcome = run_now_.Probe(*check);
    if (!outcome) return NoHealthworker();
    *response->mutable_check() = CheckToProto(*check);
    ProbeOutcomeToProto(*outcome, response);
    return ApiStatus::Ok();
  });
}

ApiStatus ChecksApi::RunStats(const Caller& caller, const pb::Nil&, pb::PipelineStats* response) {
  return Guarded(caller, "RunStats", [&] {
    PipelineStatsToProto(pipeline_.RunStats(), response);
    return ApiStatus::Ok();
  });
}

ApiStatus ChecksApi::Deliveries(const Caller& caller, const pb::CheckID& request,
                                pb::DeliveriesPage* response) {
  return Guarded(caller, "Deliveries", [&] {
    ApiStatus error;
    const auto id = ParseId(request.id(), &error);
    if (!id) return error;
    if (!store_.Get(*id)) return NotFound(*id);
    for (const auto& row : pipeline_.Deliveries(*id, 100)) {
      DeliveryToProto(row, response->add_deliveries());
    }
    return ApiStatus::Ok();
  });
}

ApiStatus ChecksApi::RunLocalChecks(const Caller& caller, const pb::admin::CheckIDs& request,
                                    pb::admin::Run* response) {
  return Guarded(caller, "RunLocal.Checks", [&] {
    // Probed one after another, as lokahi did: the bound keeps one call from holding a handler
    // thread for long.
    constexpr int kMaxIds = 20;
    if (request.ids_size() > kMaxIds) {
      return Invalid("at most " + std::to_string(kMaxIds) + " ids per run, got " +
                     std::to_string(request.ids_size()));
    }
    std::vector<checks::Check> targets;
    for (const auto& text : request.ids()) {
      ApiStatus error;
      const auto id = ParseId(text, &error);
      if (!id) return error;
      auto check = store_.Get(*id);
      if (!check) return NotFound(*id);
      targets.push_back(std::move(*check));
    }
    const auto started = std::chrono::system_clock::now();
    const auto clock_started = std::chrono::steady_clock::now();
    for (const auto& check : targets) {
      const auto outcome = run_now_.Probe(check);
      if (!outcome) return NoHealthworker();
      RunLocalHealthToProto(check, *outcome, &(*response->mutable_results())[check.id]);
    }
    response->set_id(RunId());
    *response->mutable_cids() = request;
    response->set_finished(true);
    response->set_start_time_unix(
        std::chrono::duration_cast<std::chrono::seconds>(started.time_since_epoch()).count());
    response->set_elapsed_nanoseconds(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                          std::chrono::steady_clock::now() - clock_started)
                                          .count());
    return ApiStatus::Ok();
  });
}

ApiStatus ChecksApi::RunLocalStats(const Caller& caller, const pb::admin::Nil&,
                                   pb::admin::HistogramData* response) {
  return Guarded(caller, "RunLocal.Stats", [&] {
    RunLocalStatsToProto(pipeline_.RunStats().latency, response);
    return ApiStatus::Ok();
  });
}

}  // namespace lokahi::lokahid
