#include "lokahid/run_now_client.h"

#include "lib/nats/subjects.h"
#include "lokahid/convert.h"

namespace lokahi::lokahid {

std::optional<lokahi::internal::ProbeOutcome> RunNowClient::Probe(const checks::Check& check) {
  lokahi::internal::RunNowRequest request;
  auto* spec = request.mutable_check();
  spec->set_id(check.id);
  spec->set_url(check.options.url);
  spec->set_timeout_ms(check.options.timeout_ms);
  spec->set_expected_status(check.options.expected_status);
  spec->set_every(check.options.every_seconds);
  ProbeSpecFromOptions(check.options, spec);
  const auto timeout = std::chrono::milliseconds(check.options.timeout_ms) + std::chrono::seconds(5);
  const auto reply = nats_.Request(nats::Subjects::kCheckRunNow, request.SerializeAsString(), timeout);
  if (!reply) return std::nullopt;
  lokahi::internal::ProbeOutcome outcome;
  if (!outcome.ParseFromString(*reply)) return std::nullopt;
  return outcome;
}

}  // namespace lokahi::lokahid
