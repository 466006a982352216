#pragma once
// The generic notifications outbox: any notice lokahi-cpp sends by webhook besides a check's
// transition (push alerts' raised/recovered/acknowledged/reminder/cleared, vantage
// impaired/recovered, certificate expiry...). The webhookworker delivers these rows exactly as it
// delivers check webhooks: at least once, signed with the Standard Webhooks headers (webhook-id
// "nt_<id>", the same on every retry), retried with backoff until the delivery deadline, and in
// order per ordering key (a row leaves only once every older row with its key was delivered or
// given up).
//
// To send a notice, queue it in the transaction that decides it, so the decision and the notice
// commit together (a crash loses neither and a retry of the decision cannot send it twice):
//
//   pqxx::work txn(*connection);
//   ... txn.exec_params(<the state change>) ...
//   store::OutgoingNotification notice;
//   notice.kind = "vantage.impaired";           // for logs and metrics; "<area>.<event>"
//   notice.ordering_key = "vantage:" + worker;  // notices with one key arrive in order
//   notice.webhook_url = url;                   // validated by the caller (lib/url)
//   auto body = webhook::EncodeNotificationBody(message, checks::WebhookFormat::kJson);
//   notice.content_type = body.content_type;    // lib/webhook/notification_body.h
//   notice.body = std::move(body.bytes);
//   store::EnqueueNotifications(txn, {notice});
//   txn.commit();
//   // then, optionally, publish an internal.EgressNudge on nats::Subjects::kWebhookEgress so a
//   // webhookworker sends it now rather than at its next sweep (LOKAHI_SWEEP_INTERVAL_MS).
//
// The body is sent as given, on every attempt: encode what the receiver needs when deciding.

#include <chrono>
#include <cstdint>
#include <optional>
#include <pqxx/transaction_base>
#include <string>
#include <vector>

#include "lib/postgres/connection_pool.h"
#include "lib/store/pg_time.h"

namespace lokahi::store {

inline constexpr std::string_view kNotificationWebhookIdPrefix = "nt_";

struct OutgoingNotification {
  // 0: assigned on insert. Otherwise one of ReserveNotificationIds, for a body that names its own
  // id (AlertStatus.notification_id).
  int64_t id = 0;
  std::string kind;          // "alert.raised", "vantage.impaired", "cert.expiring": logs, metrics
  std::string ordering_key;  // notices with one key are delivered one after another, in id order
  std::string webhook_url;   // where to POST; the caller has validated it
  std::string content_type;  // "application/json" or "application/protobuf"; also sent as Accept
  std::string body;          // sent as is
};

// Ids for notices whose body must name them, taken from the outbox's sequence (in increasing
// order, so a key's notices queued in one call keep their order).
std::vector<int64_t> ReserveNotificationIds(pqxx::transaction_base& txn, size_t count);

// Queues `notices` in the caller's transaction, in one statement; returns their ids in order. Rows
// become due at once.
std::vector<int64_t> EnqueueNotifications(pqxx::transaction_base& txn,
                                          const std::vector<OutgoingNotification>& notices);

// "nt_<id>": the Standard Webhooks webhook-id of a notification, the same on every attempt.
std::string NotificationWebhookId(int64_t id);

enum class NotificationState : int { kPending = 0, kDelivered = 1, kFailed = 2 };

// A notification and how its delivery went, for operators (an alert's Deliveries).
struct NotificationRecord {
  int64_t id = 0;
  std::string kind;
  TimePoint created_at;
  NotificationState state = NotificationState::kPending;  // kFailed: given up for good
  int attempts = 0;
  int last_status_code = 0;  // 0: no answer (yet)
  std::string last_error;
  std::optional<TimePoint> delivered_at;
  std::optional<TimePoint> next_attempt_at;  // pending only
};

// The notifications queued under `ordering_key`, newest first, at most `limit`.
std::vector<NotificationRecord> NotificationsByKey(pqxx::transaction_base& txn,
                                                   const std::string& ordering_key, int limit);

struct ClaimedNotification {
  int64_t id = 0;
  int attempt = 0;  // the attempts counter after this claim: the claim's token
  std::string kind;
  std::string ordering_key;
  std::string webhook_url;
  std::string content_type;
  std::string body;
  // Time left before the delivery deadline (from the row's creation); <= 0: already passed.
  std::chrono::milliseconds until_deadline{0};
};

enum class NotificationOutcomeKind { kDelivered, kRetry, kFailed };

struct NotificationOutcome {
  int64_t id = 0;
  int attempt = 0;
  NotificationOutcomeKind kind = NotificationOutcomeKind::kRetry;
  std::chrono::milliseconds retry_in{0};  // kRetry
  int status_code = 0;                    // the receiver's answer; 0 = none
  std::string error;                      // empty when delivered
};

// The outbox as a work queue for the webhookworker. Thread-safe; borrows a pool connection per
// call. Claims lease rows (FOR UPDATE SKIP LOCKED), so workers sharing one database never send one
// row at once, and a crashed worker's lease runs out and the row is claimed again. Database errors
// surface as pqxx exceptions.
class PgNotificationQueue final {
 public:
  PgNotificationQueue(postgres::ConnectionPool& pool, std::chrono::seconds deadline)
      : pool_(pool), deadline_(deadline) {}

  // Up to `limit` due rows, oldest due first, only the oldest pending row of each ordering key.
  std::vector<ClaimedNotification> ClaimDue(int limit, std::chrono::milliseconds lease);
  // Applies outcomes whose claim still holds; returns how many applied.
  int Record(const std::vector<NotificationOutcome>& outcomes);
  // Hands claims back unsent (lease cleared, attempts restored, due at once).
  void Release(const std::vector<ClaimedNotification>& claims);
  // Removes delivered and failed rows created before `before`; returns how many.
  int64_t PruneFinished(TimePoint before);

 private:
  postgres::ConnectionPool& pool_;
  const std::chrono::seconds deadline_;
};

}  // namespace lokahi::store
