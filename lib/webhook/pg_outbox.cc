#include "lib/webhook/pg_outbox.h"

#include <pqxx/pqxx>

#include "lib/checks/options_json.h"
#include "lib/postgres/pg_array.h"
#include "lib/store/pg_time.h"

namespace lokahi::webhook {
namespace {

// The NOT EXISTS keeps per-check order: a transition waits while an older one of its check is
// pending, leased or not (index transitions_pending_by_check). Rows locked by a concurrent claim
// are skipped, not waited for.
constexpr const char* kClaimSql = R"sql(
WITH due AS (
  SELECT t.id FROM transitions t
  WHERE t.delivery_state = 0 AND t.next_attempt_at <= now()
    AND (t.lease_until IS NULL OR t.lease_until <= now())
    AND NOT EXISTS (SELECT 1 FROM transitions older
                    WHERE older.check_id = t.check_id AND older.delivery_state = 0
                      AND older.id < t.id)
  ORDER BY t.next_attempt_at, t.id
  LIMIT $1
  FOR UPDATE OF t SKIP LOCKED
), claimed AS (
  UPDATE transitions t
  SET attempts = t.attempts + 1, lease_until = now() + $2::bigint * interval '1 millisecond'
  FROM due WHERE t.id = due.id
  RETURNING t.*
)
SELECT claimed.id, claimed.attempts, claimed.check_id::text, claimed.from_state,
       claimed.to_state, claimed.status_code, claimed.latency_ns, claimed.error,
       (extract(epoch from (claimed.at + $3::bigint * interval '1 second' - now())) * 1000)::bigint,
       c.url, c.webhook_url, c.playbook_url, c.every_seconds, c.webhook_format, c.webhook_secret,
       c.webhook_response_time_ns, c.timeout_ms, c.expected_status, c.failure_threshold,
       c.recovery_threshold, (extract(epoch from c.created_at) * 1000000)::bigint,
       (extract(epoch from c.updated_at) * 1000000)::bigint,
       (extract(epoch from claimed.at) * 1000000)::bigint,
       (extract(epoch from p.probed_at) * 1000000)::bigint, p.dns_ns, p.connect_ns, p.tls_ns,
       p.first_byte_ns, (extract(epoch from p.cert_expires_at) * 1000000)::bigint,
       c.notify_failure_kind_change, c.name, c.labels::text, c.enabled, c.probe::text
FROM claimed JOIN checks c ON c.id = claimed.check_id
-- The probe that made the transition: its result has the transition's time (to the microsecond,
-- give or take the float rounding of to_timestamp).
LEFT JOIN LATERAL (
  SELECT r.probed_at, r.dns_ns, r.connect_ns, r.tls_ns, r.first_byte_ns, r.cert_expires_at
  FROM results r
  WHERE r.check_id = claimed.check_id
    AND r.probed_at BETWEEN claimed.at - interval '1 millisecond'
                        AND claimed.at + interval '1 millisecond'
  ORDER BY abs(extract(epoch from r.probed_at - claimed.at))
  LIMIT 1
) p ON true
ORDER BY claimed.id
)sql";

// delivery_state: 0 pending (retry), 1 delivered, 2 failed. The attempts comparison is the claim
// token; delivery_state = 0 keeps a final outcome final.
constexpr const char* kRecordSql = R"sql(
WITH outcome AS (
  SELECT * FROM unnest($1::bigint[], $2::int[], $3::smallint[], $4::bigint[], $5::int[],
                       $6::text[], $7::bigint[], $8::int[], $9::text[], $10::smallint[])
    AS o(id, attempt, new_state, retry_in_ms, status_code, error, response_ns, attempted,
         receiver, reason)
), updated AS (
  UPDATE transitions t SET
    delivery_state = o.new_state,
    lease_until = NULL,
    next_attempt_at = CASE WHEN o.new_state = 0
                           THEN now() + o.retry_in_ms * interval '1 millisecond'
                           ELSE t.next_attempt_at END,
    delivered_at = CASE WHEN o.new_state = 1 THEN now() ELSE t.delivered_at END,
    last_status_code = CASE WHEN o.attempted = 1 THEN o.status_code ELSE t.last_status_code END,
    last_error = CASE WHEN o.attempted = 1 OR t.last_error = '' THEN o.error
                      ELSE o.error || ' (last attempt: ' || t.last_error || ')' END
  FROM outcome o
  WHERE t.id = o.id AND t.attempts = o.attempt AND t.delivery_state = 0
  RETURNING t.id, t.check_id, t.from_state, t.to_state, t.last_error, o.new_state, o.response_ns,
            o.receiver, o.reason
), timed AS (
  UPDATE checks c SET webhook_response_time_ns = u.response_ns
  FROM updated u WHERE c.id = u.check_id AND u.new_state = 1
  RETURNING 1
), abandoned AS (
  INSERT INTO abandoned_deliveries (transition_id, check_id, receiver, reason, error, from_state,
                                    to_state)
  SELECT u.id, u.check_id, u.receiver, u.reason, u.last_error, u.from_state, u.to_state
  FROM updated u WHERE u.new_state = 2 AND $11::boolean
  ON CONFLICT (transition_id) DO NOTHING
  RETURNING 1
)
SELECT (SELECT count(*) FROM updated), (SELECT count(*) FROM timed),
       (SELECT count(*) FROM abandoned)
)sql";

// A receiver that answered is up again: its deliveries waiting out a backoff (the heads of their
// checks' queues) are due now instead of minutes later. Only rows in backoff match
// (transitions_pending on next_attempt_at), joined to their check by primary key.
constexpr const char* kReleaseSql = R"sql(
UPDATE transitions t SET next_attempt_at = now()
FROM checks c
WHERE t.delivery_state = 0 AND t.next_attempt_at > now() AND c.id = t.check_id
  AND c.webhook_url IN (SELECT answered.webhook_url FROM checks answered
                        WHERE answered.id = ANY($1::uuid[]))
)sql";

constexpr const char* kClaimAbandonedSql = R"sql(
WITH due AS (
  SELECT transition_id FROM abandoned_deliveries
  WHERE notice_state = 0 AND next_attempt_at <= now()
    AND (lease_until IS NULL OR lease_until <= now())
  ORDER BY next_attempt_at, transition_id
  LIMIT $1
  FOR UPDATE SKIP LOCKED
)
UPDATE abandoned_deliveries a
SET attempts = a.attempts + 1, lease_until = now() + $2::bigint * interval '1 millisecond'
FROM due WHERE a.transition_id = due.transition_id
RETURNING a.transition_id, a.attempts, a.check_id::text, a.receiver, a.reason, a.error,
          a.from_state, a.to_state, (extract(epoch from a.abandoned_at) * 1000000)::bigint,
          (extract(epoch from (a.abandoned_at + $3::bigint * interval '1 second' - now()))
           * 1000)::bigint
)sql";

constexpr const char* kRecordAbandonedSql = R"sql(
UPDATE abandoned_deliveries a SET
  notice_state = o.new_state,
  lease_until = NULL,
  next_attempt_at = CASE WHEN o.new_state = 0
                         THEN now() + o.retry_in_ms * interval '1 millisecond'
                         ELSE a.next_attempt_at END,
  last_error = o.error
FROM unnest($1::bigint[], $2::int[], $3::smallint[], $4::bigint[], $5::text[])
  AS o(id, attempt, new_state, retry_in_ms, error)
WHERE a.transition_id = o.id AND a.attempts = o.attempt AND a.notice_state = 0
)sql";

int DeliveryStateAfter(OutcomeKind kind) {
  switch (kind) {
    case OutcomeKind::kDelivered:
      return 1;
    case OutcomeKind::kFailed:
      return 2;
    case OutcomeKind::kRetry:
      return 0;
  }
  return 0;
}

}  // namespace

std::vector<ClaimedDelivery> PgOutbox::ClaimDue(int limit, std::chrono::milliseconds lease) {
  auto connection = pool_.Acquire();
  pqxx::work txn(*connection);
  const auto rows = txn.exec_params(kClaimSql, limit, static_cast<int64_t>(lease.count()),
                                    static_cast<int64_t>(deadline_.count()));
  txn.commit();
  std::vector<ClaimedDelivery> claims;
  claims.reserve(rows.size());
  for (const auto& row : rows) {
    ClaimedDelivery d;
    d.ref.transition_id = row[0].as<int64_t>();
    d.ref.attempt = row[1].as<int>();
    auto& t = d.transition;
    t.id = d.ref.transition_id;
    t.check_id = row[2].as<std::string>();
    t.from_state = static_cast<checks::State>(row[3].as<int>());
    t.to_state = static_cast<checks::State>(row[4].as<int>());
    t.status_code = row[5].as<int>();
    t.latency_ns = row[6].as<int64_t>();
    t.error = row[7].as<std::string>();
    d.until_deadline = std::chrono::milliseconds(row[8].as<int64_t>());
    auto& c = d.check;
    c.id = t.check_id;
    c.state = t.to_state;
    c.options.url = row[9].as<std::string>();
    c.options.webhook_url = row[10].as<std::string>();
    c.options.playbook_url = row[11].as<std::string>();
    c.options.every_seconds = row[12].as<int>();
    c.options.webhook_format = static_cast<checks::WebhookFormat>(row[13].as<int>());
    c.options.webhook_secret = row[14].as<std::string>();
    c.webhook_response_time_ns = row[15].as<int64_t>();
    c.options.timeout_ms = row[16].as<int>();
    c.options.expected_status = row[17].as<int>();
    c.options.failure_threshold = row[18].as<int>();
    c.options.recovery_threshold = row[19].as<int>();
    c.options.notify_failure_kind_change = row[29].as<bool>();
    c.options.name = row[30].as<std::string>();
    c.options.labels = checks::LabelsFromJson(row[31].as<std::string>());
    c.options.enabled = row[32].as<bool>();
    checks::ProbeFromJson(row[33].as<std::string>(), c.options);
    c.created_at = store::FromUnixMicros(row[20].as<long long>());
    c.updated_at = store::FromUnixMicros(row[21].as<long long>());
    t.at = store::FromUnixMicros(row[22].as<long long>());
    c.state_changed_at = t.at;
    if (!row[23].is_null()) {
      ProbeTimings probe;
      probe.probed_at = store::FromUnixMicros(row[23].as<long long>());
      probe.dns_ns = row[24].as<int64_t>();
      probe.connect_ns = row[25].as<int64_t>();
      probe.tls_ns = row[26].as<int64_t>();
      probe.first_byte_ns = row[27].as<int64_t>();
      if (!row[28].is_null())
        probe.cert_expires_at = store::FromUnixMicros(row[28].as<long long>());
      t.probe = probe;
    }
    claims.push_back(std::move(d));
  }
  return claims;
}

int PgOutbox::Record(const std::vector<DeliveryOutcome>& outcomes) {
  if (outcomes.empty()) return 0;
  std::vector<int64_t> ids, attempts, states, retry_in_ms, status_codes, response_ns, attempted,
      reasons;
  std::vector<std::string> errors, receivers, answered_checks;
  for (const auto& o : outcomes) {
    ids.push_back(o.ref.transition_id);
    attempts.push_back(o.ref.attempt);
    states.push_back(DeliveryStateAfter(o.kind));
    retry_in_ms.push_back(o.retry_in.count());
    status_codes.push_back(o.status_code);
    errors.push_back(o.error);
    response_ns.push_back(o.response_time_ns);
    attempted.push_back(o.attempted ? 1 : 0);
    receivers.push_back(o.receiver);
    reasons.push_back(static_cast<int64_t>(o.gave_up));
    if (o.kind == OutcomeKind::kDelivered && o.release_waiting && !o.check_id.empty()) {
      answered_checks.push_back(o.check_id);
    }
  }
  auto connection = pool_.Acquire();
  pqxx::work txn(*connection);
  const auto row = txn.exec_params1(
      kRecordSql, postgres::IntArray(ids), postgres::IntArray(attempts), postgres::IntArray(states),
      postgres::IntArray(retry_in_ms), postgres::IntArray(status_codes),
      postgres::TextArray(errors), postgres::IntArray(response_ns), postgres::IntArray(attempted),
      postgres::TextArray(receivers), postgres::IntArray(reasons), record_abandoned_);
  if (!answered_checks.empty()) {
    txn.exec_params(kReleaseSql, postgres::TextArray(answered_checks));
  }
  txn.commit();
  return row[0].as<int>();
}

std::vector<AbandonedDelivery> PgOutbox::ClaimAbandoned(int limit,
                                                        std::chrono::milliseconds lease) {
  auto connection = pool_.Acquire();
  pqxx::work txn(*connection);
  const auto rows = txn.exec_params(kClaimAbandonedSql, limit, static_cast<int64_t>(lease.count()),
                                    static_cast<int64_t>(deadline_.count()));
  txn.commit();
  std::vector<AbandonedDelivery> claims;
  claims.reserve(rows.size());
  for (const auto& row : rows) {
    AbandonedDelivery a;
    a.ref.transition_id = row[0].as<int64_t>();
    a.ref.attempt = row[1].as<int>();
    a.check_id = row[2].as<std::string>();
    a.receiver = row[3].as<std::string>();
    a.reason = static_cast<GiveUpReason>(row[4].as<int>());
    a.error = row[5].as<std::string>();
    a.from_state = static_cast<checks::State>(row[6].as<int>());
    a.to_state = static_cast<checks::State>(row[7].as<int>());
    a.abandoned_at = store::FromUnixMicros(row[8].as<long long>());
    a.until_deadline = std::chrono::milliseconds(row[9].as<int64_t>());
    claims.push_back(std::move(a));
  }
  return claims;
}

void PgOutbox::RecordAbandoned(const std::vector<DeliveryOutcome>& outcomes) {
  if (outcomes.empty()) return;
  std::vector<int64_t> ids, attempts, states, retry_in_ms;
  std::vector<std::string> errors;
  for (const auto& o : outcomes) {
    ids.push_back(o.ref.transition_id);
    attempts.push_back(o.ref.attempt);
    states.push_back(DeliveryStateAfter(o.kind));
    retry_in_ms.push_back(o.retry_in.count());
    errors.push_back(o.error);
  }
  auto connection = pool_.Acquire();
  pqxx::work txn(*connection);
  txn.exec_params(kRecordAbandonedSql, postgres::IntArray(ids), postgres::IntArray(attempts),
                  postgres::IntArray(states), postgres::IntArray(retry_in_ms),
                  postgres::TextArray(errors));
  txn.commit();
}

void PgOutbox::Release(const std::vector<ClaimRef>& claims) {
  if (claims.empty()) return;
  std::vector<int64_t> ids, attempts;
  for (const auto& c : claims) {
    ids.push_back(c.transition_id);
    attempts.push_back(c.attempt);
  }
  auto connection = pool_.Acquire();
  pqxx::work txn(*connection);
  txn.exec_params(
      "UPDATE transitions t SET lease_until = NULL, attempts = t.attempts - 1"
      " FROM unnest($1::bigint[], $2::int[]) AS o(id, attempt)"
      " WHERE t.id = o.id AND t.attempts = o.attempt AND t.delivery_state = 0",
      postgres::IntArray(ids), postgres::IntArray(attempts));
  txn.commit();
}

}  // namespace lokahi::webhook
