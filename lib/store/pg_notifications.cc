#include "lib/store/pg_notifications.h"

#include <algorithm>
#include <pqxx/pqxx>
#include <stdexcept>

#include "lib/postgres/pg_array.h"

namespace lokahi::store {
namespace {

// Bodies travel as hex text (bytea through a text[] parameter), decoded by Postgres.
std::string Hex(std::string_view bytes) {
  constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    out += kDigits[byte >> 4];
    out += kDigits[byte & 0xf];
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  throw std::runtime_error("notifications.body: unexpected hex digit");
}

std::string Unhex(std::string_view hex) {
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(HexValue(hex[i]) << 4 | HexValue(hex[i + 1]));
  }
  return out;
}

// The NOT EXISTS keeps per-key order: a row waits while an older row of its key is pending,
// leased or not (index notifications_pending_by_key).
constexpr const char* kClaimSql = R"sql(
WITH due AS (
  SELECT n.id FROM notifications n
  WHERE n.delivery_state = 0 AND n.next_attempt_at <= now()
    AND (n.lease_until IS NULL OR n.lease_until <= now())
    AND NOT EXISTS (SELECT 1 FROM notifications older
                    WHERE older.ordering_key = n.ordering_key AND older.delivery_state = 0
                      AND older.id < n.id)
  ORDER BY n.next_attempt_at, n.id
  LIMIT $1
  FOR UPDATE OF n SKIP LOCKED
)
UPDATE notifications n
SET attempts = n.attempts + 1, lease_until = now() + $2::bigint * interval '1 millisecond'
FROM due WHERE n.id = due.id
RETURNING n.id, n.attempts, n.kind, n.ordering_key, n.webhook_url, n.content_type,
          encode(n.body, 'hex'),
          (extract(epoch from (n.created_at + $3::bigint * interval '1 second' - now())) * 1000)::bigint
)sql";

constexpr const char* kRecordSql = R"sql(
UPDATE notifications n SET
  delivery_state = o.new_state,
  lease_until = NULL,
  next_attempt_at = CASE WHEN o.new_state = 0 THEN now() + o.retry_in_ms * interval '1 millisecond'
                         ELSE n.next_attempt_at END,
  delivered_at = CASE WHEN o.new_state = 1 THEN now() ELSE n.delivered_at END,
  last_status_code = o.status_code,
  last_error = o.error
FROM unnest($1::bigint[], $2::int[], $3::smallint[], $4::bigint[], $5::int[], $6::text[])
  AS o(id, attempt, new_state, retry_in_ms, status_code, error)
WHERE n.id = o.id AND n.attempts = o.attempt AND n.delivery_state = 0
)sql";

int StateAfter(NotificationOutcomeKind kind) {
  switch (kind) {
    case NotificationOutcomeKind::kDelivered:
      return 1;
    case NotificationOutcomeKind::kFailed:
      return 2;
    case NotificationOutcomeKind::kRetry:
      return 0;
  }
  return 0;
}

}  // namespace

std::string NotificationWebhookId(int64_t id) {
  return std::string(kNotificationWebhookIdPrefix) + std::to_string(id);
}

std::vector<NotificationRecord> NotificationsByKey(pqxx::transaction_base& txn,
                                                   const std::string& ordering_key, int limit) {
  std::vector<NotificationRecord> records;
  for (const auto& row : txn.exec_params(
           "SELECT id, kind, (extract(epoch from created_at) * 1000000)::bigint, delivery_state,"
           " attempts, last_status_code, last_error,"
           " (extract(epoch from delivered_at) * 1000000)::bigint,"
           " (extract(epoch from next_attempt_at) * 1000000)::bigint"
           " FROM notifications WHERE ordering_key = $1 ORDER BY id DESC LIMIT $2",
           ordering_key, limit)) {
    NotificationRecord r;
    r.id = row[0].as<int64_t>();
    r.kind = row[1].as<std::string>();
    r.created_at = FromUnixMicros(row[2].as<long long>());
    r.state = static_cast<NotificationState>(row[3].as<int>());
    r.attempts = row[4].as<int>();
    r.last_status_code = row[5].as<int>();
    r.last_error = row[6].as<std::string>();
    if (!row[7].is_null()) r.delivered_at = FromUnixMicros(row[7].as<long long>());
    if (r.state == NotificationState::kPending) {
      r.next_attempt_at = FromUnixMicros(row[8].as<long long>());
    }
    records.push_back(std::move(r));
  }
  return records;
}

std::vector<int64_t> ReserveNotificationIds(pqxx::transaction_base& txn, size_t count) {
  std::vector<int64_t> ids;
  if (count == 0) return ids;
  const auto rows = txn.exec_params(
      "SELECT nextval('notifications_id_seq') FROM generate_series(1, $1::int) ORDER BY 1",
      static_cast<int64_t>(count));
  ids.reserve(rows.size());
  for (const auto& row : rows) ids.push_back(row[0].as<int64_t>());
  return ids;
}

std::vector<int64_t> EnqueueNotifications(pqxx::transaction_base& txn,
                                          const std::vector<OutgoingNotification>& notices) {
  std::vector<int64_t> ids;
  if (notices.empty()) return ids;
  std::vector<int64_t> given_ids;
  std::vector<std::string> kinds, keys, urls, types, bodies;
  for (const auto& n : notices) {
    given_ids.push_back(n.id);
    kinds.push_back(n.kind);
    keys.push_back(n.ordering_key);
    urls.push_back(n.webhook_url);
    types.push_back(n.content_type);
    bodies.push_back(Hex(n.body));
  }
  // WITH ORDINALITY keeps the callers' order for the ids the sequence assigns.
  const auto rows = txn.exec_params(
      "INSERT INTO notifications (id, kind, ordering_key, webhook_url, content_type, body)"
      " SELECT CASE WHEN i.id = 0 THEN nextval('notifications_id_seq') ELSE i.id END,"
      "        i.kind, i.key, i.url, i.type, decode(i.body, 'hex')"
      " FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])"
      "   WITH ORDINALITY AS i(id, kind, key, url, type, body, position)"
      " ORDER BY i.position"
      " RETURNING id",
      postgres::IntArray(given_ids), postgres::TextArray(kinds), postgres::TextArray(keys),
      postgres::TextArray(urls), postgres::TextArray(types), postgres::TextArray(bodies));
  ids.reserve(rows.size());
  for (const auto& row : rows) ids.push_back(row[0].as<int64_t>());
  return ids;
}

std::vector<ClaimedNotification> PgNotificationQueue::ClaimDue(int limit,
                                                               std::chrono::milliseconds lease) {
  auto connection = pool_.Acquire();
  pqxx::work txn(*connection);
  const auto rows = txn.exec_params(kClaimSql, limit, static_cast<int64_t>(lease.count()),
                                    static_cast<int64_t>(deadline_.count()));
  txn.commit();
  std::vector<ClaimedNotification> claims;
  claims.reserve(rows.size());
  for (const auto& row : rows) {
    ClaimedNotification c;
    c.id = row[0].as<int64_t>();
    c.attempt = row[1].as<int>();
    c.kind = row[2].as<std::string>();
    c.ordering_key = row[3].as<std::string>();
    c.webhook_url = row[4].as<std::string>();
    c.content_type = row[5].as<std::string>();
    c.body = Unhex(row[6].as<std::string>());
    c.until_deadline = std::chrono::milliseconds(row[7].as<int64_t>());
    claims.push_back(std::move(c));
  }
  std::sort(claims.begin(), claims.end(),
            [](const ClaimedNotification& a, const ClaimedNotification& b) { return a.id < b.id; });
  return claims;
}

int PgNotificationQueue::Record(const std::vector<NotificationOutcome>& outcomes) {
  if (outcomes.empty()) return 0;
  std::vector<int64_t> ids, attempts, states, retry_in_ms, status_codes;
  std::vector<std::string> errors;
  for (const auto& o : outcomes) {
    ids.push_back(o.id);
    attempts.push_back(o.attempt);
    states.push_back(StateAfter(o.kind));
    retry_in_ms.push_back(o.retry_in.count());
    status_codes.push_back(o.status_code);
    errors.push_back(o.error);
  }
  auto connection = pool_.Acquire();
  pqxx::work txn(*connection);
  const auto result =
      txn.exec_params(kRecordSql, postgres::IntArray(ids), postgres::IntArray(attempts),
                      postgres::IntArray(states), postgres::IntArray(retry_in_ms),
                      postgres::IntArray(status_codes), postgres::TextArray(errors));
  txn.commit();
  return static_cast<int>(result.affected_rows());
}

void PgNotificationQueue::Release(const std::vector<ClaimedNotification>& claims) {
  if (claims.empty()) return;
  std::vector<int64_t> ids, attempts;
  for (const auto& c : claims) {
    ids.push_back(c.id);
    attempts.push_back(c.attempt);
  }
  auto connection = pool_.Acquire();
  pqxx::work txn(*connection);
  txn.exec_params(
      "UPDATE notifications n SET lease_until = NULL, attempts = n.attempts - 1"
      " FROM unnest($1::bigint[], $2::int[]) AS o(id, attempt)"
      " WHERE n.id = o.id AND n.attempts = o.attempt AND n.delivery_state = 0",
      postgres::IntArray(ids), postgres::IntArray(attempts));
  txn.commit();
}

int64_t PgNotificationQueue::PruneFinished(TimePoint before) {
  auto connection = pool_.Acquire();
  pqxx::work txn(*connection);
  const auto result = txn.exec_params(
      "DELETE FROM notifications WHERE delivery_state <> 0"
      " AND created_at < timestamptz 'epoch' + $1::bigint * interval '1 millisecond'",
      static_cast<int64_t>(ToUnixMillis(before)));
  txn.commit();
  return static_cast<int64_t>(result.affected_rows());
}

}  // namespace lokahi::store
