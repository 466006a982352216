#include "lokahid/convert.h"

namespace lokahi::lokahid {

namespace pb = github::xe::lokahi;

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
  return o;
}

checks::CheckOptions MergeOptions(const checks::CheckOptions& current, const pb::Check& patch) {
  checks::CheckOptions o = current;
  if (!patch.url().empty()) o.url = patch.url();
  if (!patch.webhook_url().empty()) o.webhook_url = patch.webhook_url();
  if (!patch.playbook_url().empty()) o.playbook_url = patch.playbook_url();
  if (patch.every() != 0) o.every_seconds = patch.every();
  if (patch.timeout_ms() != 0) o.timeout_ms = patch.timeout_ms();
  if (patch.expected_status() != 0) o.expected_status = patch.expected_status();
  if (patch.failure_threshold() != 0) o.failure_threshold = patch.failure_threshold();
  if (patch.recovery_threshold() != 0) o.recovery_threshold = patch.recovery_threshold();
  if (patch.webhook_format() != pb::WEBHOOK_FORMAT_PROTOBUF) {
    o.webhook_format = static_cast<checks::WebhookFormat>(patch.webhook_format());
  }
  if (!patch.webhook_secret().empty()) o.webhook_secret = patch.webhook_secret();
  return o;
}

void SetTimestamp(google::protobuf::Timestamp* out, checks::Timestamp t) {
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  out->set_seconds(micros / 1000000);
  out->set_nanos(static_cast<int>(micros % 1000000) * 1000);
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
  SetTimestamp(out.mutable_created_at(), check.created_at);
  SetTimestamp(out.mutable_updated_at(), check.updated_at);
  if (check.state_changed_at) SetTimestamp(out.mutable_state_changed_at(), *check.state_changed_at);
  return out;
}

}  // namespace lokahi::lokahid
