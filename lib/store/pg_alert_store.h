#pragma once
// Push alerts in Postgres (table alerts, migration 110). Every change is decided by the pure
// functions of lib/alerts/transitions.h on the row as locked in the deciding transaction, and its
// notification is queued in the notifications outbox (pg_notifications.h) in that same
// transaction: a crash, a restart or two schedulers racing can neither lose a notification nor
// send one twice. Thread-safe; borrows a pool connection per call. Database errors surface as pqxx
// exceptions (std::exception).
//
// Submissions are group-committed: Submit calls that arrive while others are being written wait
// and are then applied together in one transaction (in the order they arrived), each caller
// getting its own answer only after that transaction committed. A heartbeat sent alone thus costs
// a share of one commit and WAL flush instead of all of it. The common heartbeat (new or PENDING
// alerts given a raise time: no state change, no notification) is one prepared statement run in
// autocommit, writing what alerts::ApplySubmission decides for it; anything else takes the
// general path (lock, decide, write, notify).

#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
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

struct AlertStoreOptions {
  // Submit transactions in flight at once; further Submit calls queue and are committed together
  // by the next transaction to start. Below the pool's size, so reads and the raiser find
  // connections.
  int concurrent_submits = 4;
  // At most this many submissions per group transaction (a larger single batch runs alone).
  size_t max_group_submissions = alerts::kMaxBatch;
};

class PgAlertStore final {
 public:
  // Both must outlive the store.
  PgAlertStore(postgres::ConnectionPool& pool, AlertNotifier notifier,
               AlertStoreOptions options = {})
      : pool_(pool), notifier_(std::move(notifier)), options_(options) {}

  struct Applied {
    std::vector<alerts::Alert> alerts;  // after each submission, in the order submitted
    int notifications = 0;              // queued
  };
  // Applies every submission in one transaction, in order (a key submitted twice sees the change
  // of its first submission), possibly together with other callers' batches (then those submitted
  // earlier come first); returns once that transaction committed. `notifications` counts this
  // batch's own. When a group's transaction fails, each of its batches is tried again alone, so
  // a batch fails only for a reason of its own (or the database's).
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

  // The alert's notifications and their delivery, newest first, at most `limit`.
  std::vector<NotificationRecord> Deliveries(const alerts::AlertKey& key, int limit);

  // Submit calls waiting for a group transaction now.
  size_t QueuedSubmits();

  // Removes CLEARED alerts cleared before `before`; returns how many.
  int64_t PruneCleared(alerts::Timestamp before);

 private:
  // One Submit call waiting for, or leading, a group transaction.
  struct Waiter {
    const std::vector<alerts::ResolvedSubmission>* batch = nullptr;
    alerts::Timestamp now;
    enum class Outcome { kWaiting, kApplied, kFailed, kAlone } outcome = Outcome::kWaiting;
    Applied applied;
    std::exception_ptr error;
    std::condition_variable woken;
  };
  struct Part {
    const std::vector<alerts::ResolvedSubmission>* batch;
    alerts::Timestamp now;
  };
  // Applies `parts` in one transaction (with retries); one Applied per part.
  std::vector<Applied> SubmitNow(const std::vector<Part>& parts);
  // Wakes the first waiter when it may lead a group. Needs submit_mutex_ held.
  void WakeNextLeader();

  postgres::ConnectionPool& pool_;
  AlertNotifier notifier_;
  const AlertStoreOptions options_;
  std::mutex submit_mutex_;
  std::deque<Waiter*> waiting_;  // guarded by submit_mutex_, in arrival order
  int submitting_ = 0;           // group transactions in flight; guarded by submit_mutex_
};

}  // namespace lokahi::store
