#include "lib/webhook/pg_outbox.h"

#include <pqxx/pqxx>

#include "lib/postgres/pg_array.h"

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
       c.webhook_response_time_ns
FROM claimed JOIN checks c ON c.id = claimed.check_id
ORDER BY claimed.id
)sql";

// delivery_state: 0 pending (retry), 1 delivered, 2 failed. The attempts comparison is the claim
// token; delivery_state = 0 keeps a final outcome final.
constexpr const char* kRecordSql = R"sql(
WITH outcome AS (
  SELECT * FROM unnest($1::bigint[], $2::int[], $3::smallint[], $4::bigint[], $5::int[],
                       $6::text[], $7::bigint[], $8::int[])
    AS o(id, attempt, new_state, retry_in_ms, status_code, error, response_ns, attempted)
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
  RETURNING t.check_id, o.new_state, o.response_ns
), timed AS (
  UPDATE checks c SET webhook_response_time_ns = u.response_ns
  FROM updated u WHERE c.id = u.check_id AND u.new_state = 1
  RETURNING 1
)
SELECT (SELECT count(*) FROM updated), (SELECT count(*) FROM timed)
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
    claims.push_back(std::move(d));
  }
  return claims;
}

int PgOutbox::Record(const std::vector<DeliveryOutcome>& outcomes) {
  if (outcomes.empty()) return 0;
  std::vector<int64_t> ids, attempts, states, retry_in_ms, status_codes, response_ns, attempted;
  std::vector<std::string> errors;
  for (const auto& o : outcomes) {
    ids.push_back(o.ref.transition_id);
    attempts.push_back(o.ref.attempt);
    states.push_back(DeliveryStateAfter(o.kind));
    retry_in_ms.push_back(o.retry_in.count());
    status_codes.push_back(o.status_code);
    errors.push_back(o.error);
    response_ns.push_back(o.response_time_ns);
    attempted.push_back(o.attempted ? 1 : 0);
  }
  auto connection = pool_.Acquire();
  pqxx::work txn(*connection);
  const auto row = txn.exec_params1(
      kRecordSql, postgres::IntArray(ids), postgres::IntArray(attempts), postgres::IntArray(states),
      postgres::IntArray(retry_in_ms), postgres::IntArray(status_codes),
      postgres::TextArray(errors), postgres::IntArray(response_ns), postgres::IntArray(attempted));
  txn.commit();
  return row[0].as<int>();
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
