#include "lokahid/convert.h"

#include <strings.h>

#include <string_view>
#include <vector>

#include "lib/auth/secret_fingerprint.h"
#include "lib/checks/quote.h"
#include "lib/checks/validation.h"
#include "lib/webhook/check_status_body.h"
#include "lib/webhook/delivery.h"

namespace lokahi::lokahid {

namespace pb = github::xe::lokahi;

namespace {

// CreateOpts and Check spell these fields alike.
template <typename Message>
std::vector<checks::Header> HeadersFrom(const Message& m) {
  std::vector<checks::Header> headers;
  headers.reserve(m.headers_size());
  for (const auto& h : m.headers()) headers.push_back({h.name(), h.value()});
  return headers;
}

std::string MethodFrom(const std::string& method) { return method.empty() ? "GET" : method; }

// A header Put names with an empty value keeps the value stored under its name (compared
// without case, as HTTP does), so a check read and written back keeps its secrets.
std::vector<checks::Header> MergedHeaders(const pb::Check& from,
                                          const std::vector<checks::Header>& stored) {
  auto headers = HeadersFrom(from);
  for (auto& header : headers) {
    if (!header.value.empty()) continue;
    for (const auto& old : stored) {
      if (strcasecmp(old.name.c_str(), header.name.c_str()) == 0) header.value = old.value;
    }
  }
  return headers;
}

}  // namespace

checks::CheckOptions OptionsFromCreate(const pb::CreateOpts& opts) {
  checks::CheckOptions o;
  o.url = opts.url();
  o.webhook_url = opts.webhook_url();
  o.playbook_url = opts.playbook_url();
  o.every_seconds = opts.every();
  o.timeout_ms = opts.timeout_ms();
  o.expected_status = opts.expected_status();
  o.failure_threshold = opts.failure_threshold();
  o.recovery_threshold = opts.recovery_threshold();
  o.webhook_format = static_cast<checks::WebhookFormat>(opts.webhook_format());
  o.webhook_secret = opts.webhook_secret();
  o.notify_failure_kind_change =
      !opts.has_notify_failure_kind_change() || opts.notify_failure_kind_change();
  o.name = opts.name();
  o.labels = {opts.labels().begin(), opts.labels().end()};
  o.enabled = !opts.has_enabled() || opts.enabled();
  o.request.method = MethodFrom(opts.method());
  o.request.headers = HeadersFrom(opts);
  o.request.body = opts.body();
  o.request.follow_redirects = !opts.has_follow_redirects() || opts.follow_redirects();
  o.request.ip_version = static_cast<checks::IpVersion>(opts.ip_version());
  return o;
}

namespace {

// A field Put can change; its path is its name in Check, as update_mask names it.
struct PutField {
  const char* path;
  void (*copy)(const pb::Check& from, checks::CheckOptions& to);
};

using From = const pb::Check&;
using To = checks::CheckOptions&;
constexpr PutField kPutFields[] = {
    {"url", [](From f, To t) { t.url = f.url(); }},
    {"webhook_url", [](From f, To t) { t.webhook_url = f.webhook_url(); }},
    {"playbook_url", [](From f, To t) { t.playbook_url = f.playbook_url(); }},
    {"every", [](From f, To t) { t.every_seconds = f.every(); }},
    {"timeout_ms", [](From f, To t) { t.timeout_ms = f.timeout_ms(); }},
    {"expected_status", [](From f, To t) { t.expected_status = f.expected_status(); }},
    {"failure_threshold", [](From f, To t) { t.failure_threshold = f.failure_threshold(); }},
    {"recovery_threshold", [](From f, To t) { t.recovery_threshold = f.recovery_threshold(); }},
    {"webhook_format",
     [](From f, To t) {
       t.webhook_format = static_cast<checks::WebhookFormat>(f.webhook_format());
     }},
    {"webhook_secret", [](From f, To t) { t.webhook_secret = f.webhook_secret(); }},
    {"notify_failure_kind_change",
     [](From f, To t) {
       t.notify_failure_kind_change =
           !f.has_notify_failure_kind_change() || f.notify_failure_kind_change();
     }},
    {"name", [](From f, To t) { t.name = f.name(); }},
    {"labels",
     [](From f, To t) {
       t.labels = {f.labels().begin(), f.labels().end()};
     }},
    {"enabled", [](From f, To t) { t.enabled = !f.has_enabled() || f.enabled(); }},
    {"method", [](From f, To t) { t.request.method = MethodFrom(f.method()); }},
    {"headers", [](From f, To t) { t.request.headers = MergedHeaders(f, t.request.headers); }},
    {"body", [](From f, To t) { t.request.body = f.body(); }},
    {"follow_redirects",
     [](From f, To t) {
       t.request.follow_redirects = !f.has_follow_redirects() || f.follow_redirects();
     }},
    {"ip_version",
     [](From f, To t) { t.request.ip_version = static_cast<checks::IpVersion>(f.ip_version()); }},
};

// "labels.KEY": one label, set to the request's value, or removed when the request has none.
constexpr std::string_view kLabelPathPrefix = "labels.";

const PutField* FindPutField(std::string_view path) {
  for (const auto& field : kPutFields) {
    if (path == field.path) return &field;
  }
  return nullptr;
}

// Proto3 presence: set to anything but zero or empty (a map: not empty).
bool IsSet(const pb::Check& patch, const PutField& field) {
  const auto* descriptor = pb::Check::descriptor()->FindFieldByName(field.path);
  if (descriptor->is_repeated()) return patch.GetReflection()->FieldSize(patch, descriptor) > 0;
  return patch.GetReflection()->HasField(patch, descriptor);
}

std::string UnknownPathProblem(const std::string& path) {
  std::string valid;
  for (const auto& field : kPutFields) valid += std::string(valid.empty() ? "" : ", ") + field.path;
  return "update_mask path " + checks::Quote(path) +
         " is not a field Put can change; valid paths: " + valid +
         ", labels.KEY for one label, or \"*\" for all of them";
}

}  // namespace

std::optional<std::string> ApplyPut(const pb::Check& request, checks::CheckOptions& options) {
  const auto& paths = request.update_mask().paths();
  if (paths.empty()) {
    for (const auto& field : kPutFields) {
      if (IsSet(request, field)) field.copy(request, options);
    }
    return std::nullopt;
  }
  std::vector<const PutField*> named;
  std::vector<std::string> label_keys;
  for (const auto& path : paths) {
    if (path.starts_with(kLabelPathPrefix)) {
      label_keys.push_back(path.substr(kLabelPathPrefix.size()));
      if (auto problem = checks::InvalidLabelKey(label_keys.back())) {
        return "update_mask path " + checks::Quote(path) + ": " + *problem;
      }
    } else if (path == "*") {
      for (const auto& field : kPutFields) named.push_back(&field);
    } else if (const PutField* field = FindPutField(path)) {
      named.push_back(field);
    } else {
      return UnknownPathProblem(path);
    }
  }
  for (const PutField* field : named) field->copy(request, options);
  for (const auto& key : label_keys) {
    const auto given = request.labels().find(key);
    if (given == request.labels().end()) {
      options.labels.erase(key);
    } else {
      options.labels[key] = given->second;
    }
  }
  return std::nullopt;
}

void SetTimestamp(google::protobuf::Timestamp* out, checks::Timestamp t) {
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  out->set_seconds(micros / 1000000);
  out->set_nanos(static_cast<int>(micros % 1000000) * 1000);
}

void SetTimestampMicros(google::protobuf::Timestamp* out, int64_t unix_us) {
  out->set_seconds(unix_us / 1000000);
  out->set_nanos(static_cast<int>(unix_us % 1000000) * 1000);
}

void HistogramToProto(const store::LatencyHistogram& in, pb::HistogramData* out) {
  out->set_max_nanoseconds(in.max_ns);
  out->set_min_nanoseconds(in.min_ns);
  out->set_mean_nanoseconds(in.mean_ns);
  out->set_stddev(in.stddev_ns);
  out->set_p50_nanoseconds(in.p50_ns);
  out->set_p75_nanoseconds(in.p75_ns);
  out->set_p95_nanoseconds(in.p95_ns);
  out->set_p99_nanoseconds(in.p99_ns);
}

void LastProbeToProto(const LastProbe& in, pb::CheckStatus* out) {
  out->set_last_response_time_nanoseconds(in.latency_ns);
  out->set_resp_status_code(in.status_code);
  if (!in.probed_unix_us) return;
  auto* probe = out->mutable_last_probe();
  SetTimestampMicros(probe->mutable_probed_at(), *in.probed_unix_us);
  probe->set_dns_nanoseconds(in.dns_ns);
  probe->set_connect_nanoseconds(in.connect_ns);
  probe->set_tls_nanoseconds(in.tls_ns);
  probe->set_first_byte_nanoseconds(in.first_byte_ns);
  probe->set_error(in.error);
  if (in.cert_expires_unix_us) {
    SetTimestampMicros(probe->mutable_tls_cert_expires_at(), *in.cert_expires_unix_us);
  }
}

void ProbeOutcomeToProto(const lokahi::internal::ProbeOutcome& in, pb::CheckStatus* out) {
  out->set_last_response_time_nanoseconds(in.latency_ns());
  out->set_resp_status_code(in.status_code());
  auto* probe = out->mutable_last_probe();
  SetTimestampMicros(probe->mutable_probed_at(), in.probed_unix_ms() * 1000);
  probe->set_dns_nanoseconds(in.dns_ns());
  probe->set_connect_nanoseconds(in.connect_ns());
  probe->set_tls_nanoseconds(in.tls_ns());
  probe->set_first_byte_nanoseconds(in.first_byte_ns());
  probe->set_error(in.error());
  if (in.cert_expiry_unix() > 0) {
    SetTimestampMicros(probe->mutable_tls_cert_expires_at(), in.cert_expiry_unix() * 1000000);
  }
}

void PipelineStatsToProto(const PipelineStats& in, pb::PipelineStats* out) {
  out->set_probes_last_hour(in.probes_last_hour);
  out->set_probes_per_minute(static_cast<double>(in.probes_last_minute));
  HistogramToProto(in.latency, out->mutable_latency());
  out->set_schedule_lag_p50_ms(in.lag_p50_ms);
  out->set_schedule_lag_p99_ms(in.lag_p99_ms);
  out->set_checks(in.checks);
  out->set_skipped_slots_last_hour(in.skipped_last_hour);
}

void DeliveryToProto(const DeliveryRow& in, pb::Delivery* out) {
  // 3 and 4: recorded during a maintenance window, never delivered (migration 130).
  static constexpr const char* kOutcomes[] = {"pending", "delivered", "failed", "silenced",
                                              "silenced"};
  out->set_transition_id(in.transition_id);
  out->set_webhook_id(webhook::WebhookId(in.transition_id));
  out->set_from_state(static_cast<pb::Check::State>(in.from));
  out->set_to_state(static_cast<pb::Check::State>(in.to));
  SetTimestampMicros(out->mutable_transition_at(), in.at_unix_us);
  out->set_outcome(in.delivery_state >= 0 && in.delivery_state <= 4 ? kOutcomes[in.delivery_state]
                                                                    : "unknown");
  out->set_attempts(in.attempts);
  out->set_last_error(in.last_error);
  if (in.delivered_unix_us) SetTimestampMicros(out->mutable_delivered_at(), *in.delivered_unix_us);
  out->set_last_status_code(in.last_status_code);
}

pb::Check CheckToProto(const checks::Check& check) {
  pb::Check out;
  const auto& o = check.options;
  out.set_id(check.id);
  out.set_url(o.url);
  out.set_webhook_url(o.webhook_url);
  out.set_webhook_response_time_nanoseconds(check.webhook_response_time_ns);
  out.set_every(o.every_seconds);
  out.set_playbook_url(o.playbook_url);
  out.set_state(static_cast<pb::Check::State>(check.state));
  out.set_timeout_ms(o.timeout_ms);
  out.set_expected_status(o.expected_status);
  out.set_failure_threshold(o.failure_threshold);
  out.set_recovery_threshold(o.recovery_threshold);
  out.set_webhook_format(static_cast<pb::WebhookFormat>(o.webhook_format));
  out.set_has_webhook_secret(!o.webhook_secret.empty());
  out.set_webhook_secret_fingerprint(auth::SecretFingerprint(o.webhook_secret));
  out.set_notify_failure_kind_change(o.notify_failure_kind_change);
  out.set_name(o.name);
  out.mutable_labels()->insert(o.labels.begin(), o.labels.end());
  out.set_enabled(o.enabled);
  webhook::SetRequestOptions(o, &out);
  SetTimestamp(out.mutable_created_at(), check.created_at);
  SetTimestamp(out.mutable_updated_at(), check.updated_at);
  if (check.state_changed_at) SetTimestamp(out.mutable_state_changed_at(), *check.state_changed_at);
  return out;
}

void ProbeSpecFromOptions(const checks::CheckOptions& o, lokahi::internal::CheckSpec* spec) {
  const auto& r = o.request;
  if (r.method != "GET") spec->set_method(r.method);
  for (const auto& header : r.headers) {
    auto* h = spec->add_headers();
    h->set_name(header.name);
    h->set_value(header.value);
  }
  spec->set_body(r.body);
  spec->set_no_follow_redirects(!r.follow_redirects);
  spec->set_ip_version(static_cast<int>(r.ip_version));
}

void RunLocalHealthToProto(const checks::Check& check, const lokahi::internal::ProbeOutcome& in,
                           pb::admin::Health* out) {
  out->set_url(check.options.url);
  out->set_response_time_nanoseconds(in.latency_ns());
  out->set_status_code(in.status_code());
  out->set_error(in.error());
  out->set_healthy(in.state() == static_cast<int>(checks::State::kUp));
}

void RunLocalStatsToProto(const store::LatencyHistogram& in, pb::admin::HistogramData* out) {
  out->set_max_nanoseconds(static_cast<int64_t>(in.max_ns));
  out->set_min_nanoseconds(static_cast<int64_t>(in.min_ns));
  out->set_mean_nanoseconds(static_cast<int64_t>(in.mean_ns));
  out->set_stddev(static_cast<int64_t>(in.stddev_ns));
  out->set_p50_nanoseconds(static_cast<int64_t>(in.p50_ns));
  out->set_p75_nanoseconds(static_cast<int64_t>(in.p75_ns));
  out->set_p95_nanoseconds(static_cast<int64_t>(in.p95_ns));
  out->set_p99_nanoseconds(static_cast<int64_t>(in.p99_ns));
}

}  // namespace lokahi::lokahid
