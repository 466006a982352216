#include "lib/webhook/check_status_body.h"

#include <google/protobuf/util/json_util.h>

#include <stdexcept>

namespace lokahi::webhook {

namespace pb = github::xe::lokahi;

pb::CheckStatus ToCheckStatus(const ClaimedDelivery& delivery,
                              const store::LatencyHistogram& histogram) {
  const auto& check = delivery.check;
  const auto& transition = delivery.transition;
  pb::CheckStatus status;
  auto* out = status.mutable_check();
  out->set_id(check.id);
  out->set_url(check.options.url);
  out->set_webhook_url(check.options.webhook_url);
  out->set_webhook_response_time_nanoseconds(check.webhook_response_time_ns);
  out->set_every(check.options.every_seconds);
  out->set_playbook_url(check.options.playbook_url);
  out->set_state(static_cast<pb::Check::State>(transition.to_state));

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

  status.set_previous_state(static_cast<pb::Check::State>(transition.from_state));
  status.set_transition_id(transition.id);
  status.mutable_last_probe()->set_error(transition.error);
  return status;
}

EncodedBody EncodeCheckStatus(const pb::CheckStatus& status, checks::WebhookFormat format) {
  EncodedBody body;
  if (format == checks::WebhookFormat::kJson) {
    google::protobuf::util::JsonPrintOptions options;
    options.preserve_proto_field_names = true;
    // Receivers reading JSON see every field, including zero states such as INIT.
    options.always_print_primitive_fields = true;
    const auto result = google::protobuf::util::MessageToJsonString(status, &body.bytes, options);
    if (!result.ok()) {
      throw std::runtime_error("encoding CheckStatus as JSON: " + result.ToString());
    }
    body.content_type = "application/json";
    return body;
  }
  if (!status.SerializeToString(&body.bytes)) {
    throw std::runtime_error("encoding CheckStatus as protobuf failed");
  }
  body.content_type = "application/protobuf";
  return body;
}

}  // namespace lokahi::webhook
