#include "lib/webhook/check_status_body.h"

#include <google/protobuf/util/json_util.h>

#include <stdexcept>

#include "lib/auth/secret_fingerprint.h"
#include "lib/webhook/url_redaction.h"

namespace lokahi::webhook {

namespace pb = github::xe::lokahi;

namespace {

void SetTimestamp(google::protobuf::Timestamp* out, checks::Timestamp at) {
  const auto since_epoch = at.time_since_epoch();
  const auto seconds = std::chrono::floor<std::chrono::seconds>(since_epoch);
  out->set_seconds(seconds.count());
  out->set_nanos(static_cast<int32_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch - seconds).count()));
}

}  // namespace

pb::CheckStatus ToCheckStatus(const ClaimedDelivery& delivery,
                              const store::LatencyHistogram& histogram,
                              const store::UptimeRatios& uptime) {
  const auto& check = delivery.check;
  const auto& options = check.options;
  const auto& transition = delivery.transition;
  pb::CheckStatus status;
  auto* out = status.mutable_check();
  out->set_id(check.id);
  // Credentials in a URL's userinfo stay with the prober; receivers and their logs never see them.
  out->set_url(WithoutUserinfo(options.url));
  out->set_webhook_url(WithoutUserinfo(options.webhook_url));
  out->set_webhook_response_time_nanoseconds(check.webhook_response_time_ns);
  out->set_every(options.every_seconds);
  out->set_playbook_url(WithoutUserinfo(options.playbook_url));
  out->set_state(static_cast<pb::Check::State>(transition.to_state));
  out->set_timeout_ms(options.timeout_ms);
  out->set_expected_status(options.expected_status);
  out->set_failure_threshold(options.failure_threshold);
  out->set_recovery_threshold(options.recovery_threshold);
  out->set_notify_failure_kind_change(options.notify_failure_kind_change);
  out->set_name(options.name);
  out->mutable_labels()->insert(options.labels.begin(), options.labels.end());
  out->set_enabled(options.enabled);
  out->set_webhook_format(static_cast<pb::WebhookFormat>(options.webhook_format));
  out->set_has_webhook_secret(!options.webhook_secret.empty());
  out->set_webhook_secret_fingerprint(auth::SecretFingerprint(options.webhook_secret));
  SetRequestOptions(options, out);
  SetTimestamp(out->mutable_created_at(), check.created_at);
  SetTimestamp(out->mutable_updated_at(), check.updated_at);
  SetTimestamp(out->mutable_state_changed_at(), transition.at);

  status.set_last_response_time_nanoseconds(transition.latency_ns);
  status.set_resp_status_code(transition.status_code);
  auto* h = status.mutable_histogram_data();
  h->set_max_nanoseconds(histogram.max_ns);
  h->set_min_nanoseconds(histogram.min_ns);
  h->set_mean_nanoseconds(histogram.mean_ns);
  h->set_stddev(histogram.stddev_ns);
  h->set_p50_nanoseconds(histogram.p50_ns);
  h->set_p75_nanoseconds(histogram.p75_ns);
  h->set_p95_nanoseconds(histogram.p95_ns);
  h->set_p99_nanoseconds(histogram.p99_ns);

  SetUptime(uptime, &status);

  status.set_previous_state(static_cast<pb::Check::State>(transition.from_state));
  status.set_transition_id(transition.id);
  auto* probe = status.mutable_last_probe();
  probe->set_error(transition.error);
  if (transition.probe) {
    SetTimestamp(probe->mutable_probed_at(), transition.probe->probed_at);
    probe->set_dns_nanoseconds(transition.probe->dns_ns);
    probe->set_connect_nanoseconds(transition.probe->connect_ns);
    probe->set_tls_nanoseconds(transition.probe->tls_ns);
    probe->set_first_byte_nanoseconds(transition.probe->first_byte_ns);
    if (transition.probe->cert_expires_at) {
      SetTimestamp(probe->mutable_tls_cert_expires_at(), *transition.probe->cert_expires_at);
    }
  } else {
    // The result is gone (retention); its time is the transition's, its timings unknown (unset).
    SetTimestamp(probe->mutable_probed_at(), transition.at);
  }
  return status;
}

void SetRequestOptions(const checks::CheckOptions& options, pb::Check* out) {
  const auto& r = options.request;
  if (r.method != "GET") out->set_method(r.method);
  for (const auto& header : r.headers) {
    auto* h = out->add_headers();
    h->set_name(header.name);
    h->set_value_fingerprint(auth::SecretFingerprint(header.value));
  }
  out->set_body(r.body);
  out->set_follow_redirects(r.follow_redirects);
  out->set_ip_version(static_cast<pb::IpVersion>(r.ip_version));
}

void SetUptime(const store::UptimeRatios& uptime, pb::CheckStatus* status) {
  status->set_uptime_probes_24h(uptime.probes_24h);
  status->set_uptime_probes_7d(uptime.probes_7d);
  status->set_uptime_probes_30d(uptime.probes_30d);
  if (uptime.probes_24h > 0) status->set_uptime_24h(uptime.last_24h);
  if (uptime.probes_7d > 0) status->set_uptime_7d(uptime.last_7d);
  if (uptime.probes_30d > 0) status->set_uptime_30d(uptime.last_30d);
}

EncodedBody EncodeCheckStatus(const pb::CheckStatus& status, checks::WebhookFormat format) {
  return EncodeNotificationBody(status, format);
}

}  // namespace lokahi::webhook
