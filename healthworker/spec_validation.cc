#include "healthworker/spec_validation.h"

#include "lib/checks/check.h"
#include "lib/checks/quote.h"
#include "lib/checks/validation.h"
#include "lib/url/url.h"

namespace lokahi::healthworker {
namespace {

using checks::Quote;

std::optional<std::string> Range(const char* field, int64_t value, int64_t min, int64_t max) {
  if (value >= min && value <= max) return std::nullopt;
  return std::string(field) + " must be between " + std::to_string(min) + " and " +
         std::to_string(max) + ", got " + std::to_string(value);
}

}  // namespace

checks::RequestOptions RequestOf(const lokahi::internal::CheckSpec& spec) {
  checks::RequestOptions request;
  if (!spec.method().empty()) request.method = spec.method();
  request.headers.reserve(spec.headers_size());
  for (const auto& h : spec.headers()) request.headers.push_back({h.name(), h.value()});
  request.body = spec.body();
  request.follow_redirects = !spec.no_follow_redirects();
  request.ip_version = static_cast<checks::IpVersion>(spec.ip_version());
  return request;
}

bool HasRequestOptions(const lokahi::internal::CheckSpec& spec) {
  return !spec.method().empty() || spec.headers_size() > 0 || !spec.body().empty() ||
         spec.no_follow_redirects() || spec.ip_version() != 0;
}

std::optional<std::string> InvalidSpec(const lokahi::internal::CheckSpec& spec, bool scheduled) {
  if (!checks::CheckId::Parse(spec.id())) return "id must be a UUID, got " + Quote(spec.id());
  std::string why;
  if (!url::Url::Parse(spec.url(), &why)) return "url " + why + ": " + Quote(spec.url());
  if (auto p = Range("timeout_ms", spec.timeout_ms(), 1, checks::kMaxTimeoutMs)) return p;
  if (spec.expected_status() != 0) {
    if (auto p = Range("expected_status", spec.expected_status(), 100, 599)) return p;
  }
  if (auto p = Range("every", spec.every(), 1, checks::kMaxEverySeconds)) return p;
  if (HasRequestOptions(spec)) {
    if (auto problem = checks::InvalidRequest(RequestOf(spec))) return problem;
  }
  // Slots are milliseconds since 1970; Postgres timestamps end in the year 294276.
  constexpr int64_t kYear9999Ms = 253402300799999;
  if (scheduled) {
    if (auto p = Range("due_unix_ms", spec.due_unix_ms(), 1, kYear9999Ms)) return p;
  }
  return std::nullopt;
}

}  // namespace lokahi::healthworker
