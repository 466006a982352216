#pragma once
// The webhook outbox (the transitions table) as a work queue. Thread-safe; borrows a pool
// connection per call. Any number of workers may share one database:
//  - a claim leases rows (lease_until) under FOR UPDATE SKIP LOCKED, so two workers never hold the
//    same transition, and a crashed worker's lease simply runs out and the row is claimed again;
//  - only a check's oldest pending transition is ever claimable, so a check's webhooks leave in
//    transition order, each after the previous one was delivered or failed.
// Database errors surface as the pqxx exceptions (std::exception) of the failing call.

#include <chrono>
#include <vector>

#include "lib/postgres/connection_pool.h"
#include "lib/webhook/delivery.h"

namespace lokahi::webhook {

class PgOutbox final {
 public:
  // `deadline`: how long after a transition its webhook may still be attempted (and after a
  // delivery was given up, its notice to the operator). `record_abandoned`: a delivery given up is
  // also queued in abandoned_deliveries, in the same statement, to be told to the operator.
  PgOutbox(postgres::ConnectionPool& pool, std::chrono::seconds deadline,
           bool record_abandoned = false)
      : pool_(pool), deadline_(deadline), record_abandoned_(record_abandoned) {}

  // Claims up to `limit` due transitions in one statement, each leased for `lease`, oldest due
  // first. Raises each claimed row's attempts counter (ClaimRef::attempt).
  std::vector<ClaimedDelivery> ClaimDue(int limit, std::chrono::milliseconds lease);

  // Applies outcomes in one statement; a delivered outcome also records the check's
  // webhook_response_time_ns. Outcomes whose claim was superseded are skipped. Returns how many
  // applied. In the same transaction, a delivered outcome with release_waiting makes every delivery
  // to the same webhook_url that waits out a backoff due now.
  int Record(const std::vector<DeliveryOutcome>& outcomes);

  // The operator's notices of deliveries given up (written by Record when record_abandoned): claims
  // up to `limit` due ones, each leased for `lease`, like ClaimDue.
  std::vector<AbandonedDelivery> ClaimAbandoned(int limit, std::chrono::milliseconds lease);
  // Applies the notices' outcomes (ref, kind, retry_in, error); superseded claims are skipped.
  void RecordAbandoned(const std::vector<DeliveryOutcome>& outcomes);

  // Hands claims back unsent: lease cleared, attempts counter restored, due at once.
  void Release(const std::vector<ClaimRef>& claims);

 private:
  postgres::ConnectionPool& pool_;
  const std::chrono::seconds deadline_;
  const bool record_abandoned_;
};

}  // namespace lokahi::webhook
