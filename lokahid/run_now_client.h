#pragma once
// Asks a healthworker to probe one check now (NATS request/reply on check.run.now).

#include <chrono>
#include <optional>

#include "internal.pb.h"
#include "lib/checks/check.h"
#include "lib/nats/nats_client.h"

namespace lokahi::lokahid {

class RunNowClient {
 public:
  explicit RunNowClient(nats::Connection& nats) : nats_(nats) {}
  // Nullopt when no healthworker answered within the check's timeout plus a margin.
  std::optional<lokahi::internal::ProbeOutcome> Probe(const checks::Check& check);

 private:
  nats::Connection& nats_;
};

}  // namespace lokahi::lokahid
