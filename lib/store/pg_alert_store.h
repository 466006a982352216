#pragma once
// Push alerts in Postgres (table alerts, migration 110). Every change is decided by the pure
// functions of lib/alerts/transitions.h on the row as locked in the deciding transaction, and its
// notification is queued in the notifications outbox (pg_notifications.h) in that same
// transaction: a crash, a restart or two schedulers racing can neither lose a notification nor
// send one twice. Thread-safe; borrows a pool connection per call. Database errors surface as pqxx
// exceptions (std::exception).

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "lib/alerts/alert.h"
#include "lib/alerts/submission.h"
#include "lib/alerts/transitions.h"
#include "lib/postgres/connection_pool.h"
#include "lib/store/pg_notifications.h"

namespace lokahi::store {

// The notification a change sends, built inside the deciding transaction (must not block), or
// nullopt when there is no receiver to send it to. `id` is its reserved outbox id.
using AlertNotifier = std::function<std::optional<OutgoingNotification>(
    const alerts::Change& change, int64_t id, alerts::Timestamp now)>;

struct AlertListFilter {
  std::optional<alerts::State> state;
  std::string source;     // exact; empty: any
  std::string id_prefix;  // empty: any
};

struct AlertPage {
  std::vector<alerts::Alert> alerts;
  bool more = false;  // another page follows the last alert
};

class PgAlertStore final {
 public:
  // Both must outlive the store.
  PgAlertStore(postgres::ConnectionPool& pool, AlertNotifier notifier)
      : pool_(pool), notifier_(std::move(notifier)) {}

  struct Applied {
    std::vector<alerts::Alert> alerts;  // after each submission, in the order submitted
    int notifications = 0;              // queued
  };
  // Applies every submission in one transaction, in order (a key submitted twice sees the change
  // of its first submission).
  Applied Submit(const std::vector<alerts::ResolvedSubmission>& batch, alerts::Timestamp now);

  std::optional<alerts::Alert> Get(const alerts::AlertKey& key);
  // The sources that have an alert with this id, at most `limit`, in order.
  std::vector<std::string> SourcesOf(const std::string& id, int limit);
  // Ordered by (source, id); starts after `after` when given.
  AlertPage List(const AlertListFilter& filter, int count,
                 const std::optional<alerts::AlertKey>& after);

  using Decide = std::function<std::variant<alerts::Change, std::string>(const alerts::Alert&)>;
  struct Mutated {
    std::optional<alerts::Change> change;  // unset: no such alert, or `decide` refused
    std::string refusal;                   // why `decide` refused
    int notifications = 0;
  };
  // Locks the alert, lets `decide` change it, writes the change with its notification.
  Mutated Mutate(const alerts::AlertKey& key, const Decide& decide, alerts::Timestamp now);

  struct TickResult {
    int changed = 0;
    int notifications = 0;
    // For each alert raised: how late after its raise time.
    std::vector<std::chrono::milliseconds> raise_lags;
  };
  // What time makes due at `now` (alerts to raise, acks expired, reminders), at most `limit` of
  // each kind, decided by alerts::Tick in one transaction. Rows locked by another transaction are
  // skipped (they are being decided there).
  TickResult RunDue(alerts::Timestamp now, std::chrono::seconds repeat, int limit);

  // Removes CLEARED alerts cleared before `before`; returns how many.
  int64_t PruneCleared(alerts::Timestamp before);

 private:
  postgres::ConnectionPool& pool_;
  AlertNotifier notifier_;
};

}  // namespace lokahi::store
