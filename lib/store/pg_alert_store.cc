#include "lib/store/pg_alert_store.h"

#include <algorithm>
#include <map>
#include <pqxx/pqxx>
#include <set>
#include <stdexcept>

#include "lib/postgres/pg_array.h"

namespace lokahi::store {
namespace {

using alerts::Alert;
using alerts::AlertKey;
using alerts::Timestamp;

// Timestamps cross as microseconds since the epoch; NULL stays NULL.
#define LOKAHI_US(column) "(extract(epoch from " column ") * 1000000)::bigint"

constexpr const char* kColumns =
    "source, id, subject, detail, state, " LOKAHI_US("raise_at") ", importance, webhook_url, "
    "webhook_format, " LOKAHI_US("suppress_until") ", acknowledged_by, " LOKAHI_US(
        "acknowledged_until") ", ack_note, notify_count, " LOKAHI_US("next_reminder_at") ", " LOKAHI_US("created_at") ", " LOKAHI_US("updated_at") ", " LOKAHI_US("state_changed_at") ", " LOKAHI_US("last_notified_at");

#undef LOKAHI_US

int64_t Micros(Timestamp t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}
// 0 stands for NULL in the written arrays (no alert time is the epoch itself).
int64_t Micros(const std::optional<Timestamp>& t) { return t ? Micros(*t) : 0; }

std::optional<Timestamp> OptionalTime(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return FromUnixMicros(field.as<long long>());
}

Alert ReadAlert(const pqxx::row& row) {
  Alert a;
  a.key.source = row[0].as<std::string>();
  a.key.id = row[1].as<std::string>();
  a.subject = row[2].as<std::string>();
  a.detail = row[3].as<std::string>();
  a.state = static_cast<alerts::State>(row[4].as<int>());
  a.raise_at = OptionalTime(row[5]);
  a.importance = static_cast<alerts::Importance>(row[6].as<int>());
  a.webhook_url = row[7].as<std::string>();
  a.webhook_format = static_cast<checks::WebhookFormat>(row[8].as<int>());
  a.suppress_until = OptionalTime(row[9]);
  a.acknowledged_by = row[10].as<std::string>();
  a.acknowledged_until = OptionalTime(row[11]);
  a.ack_note = row[12].as<std::string>();
  a.notify_count = row[13].as<int>();
  a.next_reminder_at = OptionalTime(row[14]);
  a.created_at = FromUnixMicros(row[15].as<long long>());
  a.updated_at = FromUnixMicros(row[16].as<long long>());
  a.state_changed_at = FromUnixMicros(row[17].as<long long>());
  a.last_notified_at = OptionalTime(row[18]);
  return a;
}

std::vector<Alert> ReadAlerts(const pqxx::result& rows) {
  std::vector<Alert> out;
  out.reserve(rows.size());
  for (const auto& row : rows) out.push_back(ReadAlert(row));
  return out;
}

// Runs `sql` as the connection's prepared statement `name` (prepared on its first use on each
// pooled connection; planning the refresh took longer than running it).
template <typename... Args>
pqxx::result ExecPrepared(pqxx::transaction_base& txn, const std::string& name,
                          const std::string& sql, Args&&... args) {
  txn.conn().prepare(name, sql);  // a no-op once this connection knows it
  return txn.exec_prepared(name, std::forward<Args>(args)...);
}

// A key this transaction found without a row was created by another transaction meanwhile: the
// transaction is decided again on what is now stored.
class KeyTakenMeanwhile : public std::runtime_error {
 public:
  KeyTakenMeanwhile() : std::runtime_error("an alert was created concurrently") {}
};

// The written columns, in the order of the parameters ($1..$19); timestamps as microseconds with
// 0 for NULL.
struct WrittenColumn {
  const char* name;
  const char* type;
  bool time;
};
constexpr WrittenColumn kWritten[] = {
    {"source", "text", false},
    {"id", "text", false},
    {"subject", "text", false},
    {"detail", "text", false},
    {"state", "smallint", false},
    {"raise_at", "bigint", true},
    {"importance", "smallint", false},
    {"webhook_url", "text", false},
    {"webhook_format", "smallint", false},
    {"suppress_until", "bigint", true},
    {"acknowledged_by", "text", false},
    {"acknowledged_until", "bigint", true},
    {"ack_note", "text", false},
    {"notify_count", "int", false},
    {"next_reminder_at", "bigint", true},
    {"created_at", "bigint", true},
    {"updated_at", "bigint", true},
    {"state_changed_at", "bigint", true},
    {"last_notified_at", "bigint", true},
};

std::string ValueOf(const WrittenColumn& column) {
  const std::string value = std::string("o.") + column.name;
  if (!column.time) return value;
  return "CASE WHEN " + value + " = 0 THEN NULL ELSE timestamptz 'epoch' + " + value +
         " * interval '1 microsecond' END";
}

std::string Unnest() {
  std::string types, names;
  int n = 0;
  for (const auto& column : kWritten) {
    if (n++) {
      types += ", ";
      names += ", ";
    }
    types += "$" + std::to_string(n) + "::" + column.type + "[]";
    names += column.name;
  }
  return "unnest(" + types + ") AS o(" + names + ")";
}

// Rows this transaction locked: updated in place.
std::string UpdateSql() {
  std::string sets;
  for (const auto& column : kWritten) {
    const std::string name = column.name;
    if (name == "source" || name == "id" || name == "created_at") continue;
    if (!sets.empty()) sets += ", ";
    sets += name + " = " + ValueOf(column);
  }
  return "UPDATE alerts a SET " + sets + " FROM " + Unnest() +
         " WHERE a.source = o.source AND a.id = o.id";
}

// Keys that had no row: inserted, unless another transaction created them meanwhile.
std::string InsertSql() {
  std::string names, values;
  for (const auto& column : kWritten) {
    if (!names.empty()) {
      names += ", ";
      values += ", ";
    }
    names += column.name;
    values += ValueOf(column);
  }
  return "INSERT INTO alerts (" + names + ") SELECT " + values + " FROM " + Unnest() +
         " ON CONFLICT (source, id) DO NOTHING";
}

void WriteRows(pqxx::work& txn, const std::string& sql, const std::vector<const Alert*>& rows) {
  if (rows.empty()) return;
  std::vector<std::string> sources, ids, subjects, details, urls, acked_by, notes;
  std::vector<int64_t> states, raise_at, importances, formats, suppress, ack_until, counts,
      reminders, created, updated, changed, notified;
  for (const Alert* row : rows) {
    const Alert& a = *row;
    sources.push_back(a.key.source);
    ids.push_back(a.key.id);
    subjects.push_back(a.subject);
    details.push_back(a.detail);
    states.push_back(static_cast<int64_t>(a.state));
    raise_at.push_back(Micros(a.raise_at));
    importances.push_back(static_cast<int64_t>(a.importance));
    urls.push_back(a.webhook_url);
    formats.push_back(static_cast<int64_t>(a.webhook_format));
    suppress.push_back(Micros(a.suppress_until));
    acked_by.push_back(a.acknowledged_by);
    ack_until.push_back(Micros(a.acknowledged_until));
    notes.push_back(a.ack_note);
    counts.push_back(a.notify_count);
    reminders.push_back(Micros(a.next_reminder_at));
    created.push_back(Micros(a.created_at));
    updated.push_back(Micros(a.updated_at));
    changed.push_back(Micros(a.state_changed_at));
    notified.push_back(Micros(a.last_notified_at));
  }
  using postgres::IntArray;
  using postgres::TextArray;
  const auto result = txn.exec_params(
      sql, TextArray(sources), TextArray(ids), TextArray(subjects), TextArray(details),
      IntArray(states), IntArray(raise_at), IntArray(importances), TextArray(urls),
      IntArray(formats), IntArray(suppress), TextArray(acked_by), IntArray(ack_until),
      TextArray(notes), IntArray(counts), IntArray(reminders), IntArray(created), IntArray(updated),
      IntArray(changed), IntArray(notified));
  if (result.affected_rows() != rows.size()) throw KeyTakenMeanwhile();
}

// One row to write: the alert after its last change in the transaction, and whether this
// transaction locked its row (false: the key had none).
struct PendingWrite {
  Alert alert;
  bool locked = false;
};

void Write(pqxx::work& txn, const std::vector<PendingWrite>& writes) {
  std::vector<const Alert*> updates, inserts;
  for (const auto& w : writes) (w.locked ? updates : inserts).push_back(&w.alert);
  static const std::string kUpdate = UpdateSql();
  static const std::string kInsert = InsertSql();
  WriteRows(txn, kUpdate, updates);
  WriteRows(txn, kInsert, inserts);
}

std::vector<Alert> LockKeys(pqxx::work& txn, const std::set<AlertKey>& keys) {
  std::vector<std::string> sources, ids;
  for (const auto& key : keys) {
    sources.push_back(key.source);
    ids.push_back(key.id);
  }
  // In key order, so two batches sharing keys lock them in the same order (no deadlock).
  return ReadAlerts(txn.exec_params(
      std::string("SELECT ") + kColumns +
          " FROM alerts WHERE (source, id) IN (SELECT * FROM unnest($1::text[], $2::text[]))"
          " ORDER BY source, id FOR UPDATE",
      postgres::TextArray(sources), postgres::TextArray(ids)));
}

// A change decided in this transaction and the time it was decided at.
struct Decided {
  const alerts::Change* change;
  Timestamp now;
};

// Queues the notifications of `decided` (in order); returns for each whether it queued one.
std::vector<bool> Notify(pqxx::work& txn, const AlertNotifier& notifier,
                         const std::vector<Decided>& decided) {
  std::vector<bool> queued(decided.size(), false);
  std::vector<size_t> notifying;
  for (size_t i = 0; i < decided.size(); ++i) {
    if (decided[i].change->notify) notifying.push_back(i);
  }
  if (notifying.empty()) return queued;
  const auto ids = ReserveNotificationIds(txn, notifying.size());
  std::vector<OutgoingNotification> notices;
  for (size_t i = 0; i < notifying.size(); ++i) {
    const auto& d = decided[notifying[i]];
    if (auto notice = notifier(*d.change, ids[i], d.now)) {
      notices.push_back(std::move(*notice));
      queued[notifying[i]] = true;
    }
  }
  EnqueueNotifications(txn, notices);
  return queued;
}

// Queues the notifications of `changes` (in order) and returns how many.
int Notify(pqxx::work& txn, const AlertNotifier& notifier,
           const std::vector<const alerts::Change*>& changes, Timestamp now) {
  std::vector<Decided> decided;
  for (const auto* change : changes) decided.push_back({change, now});
  const auto queued = Notify(txn, notifier, decided);
  return static_cast<int>(std::count(queued.begin(), queued.end(), true));
}

// Runs `body` in a transaction, again (up to 3 times) when a key it created was created
// concurrently.
template <typename Body>
auto WithRetry(postgres::ConnectionPool& pool, Body&& body) {
  for (int attempt = 1;; ++attempt) {
    auto connection = pool.Acquire();
    try {
      pqxx::work txn(*connection);
      auto result = body(txn);
      txn.commit();
      return result;
    } catch (const KeyTakenMeanwhile&) {
      if (attempt >= 3) throw;
    } catch (const pqxx::deadlock_detected&) {
      if (attempt >= 3) throw;
    }
  }
}

// The common heartbeat, in one statement: submissions with a raise time (and no webhook_format)
// for alerts that are new or stored PENDING. alerts::ApplySubmission creates such an alert
// PENDING, or leaves it PENDING with the new raise time, and sends nothing; the statement writes
// the row exactly as it would (subject, detail, importance, raise time and updated_at;
// webhook_url and suppress_until when given; ack fields and reminder cleared, as MoveTo does; a
// new alert's created_at and state_changed_at, and JSON as its format). An upsert finds existing
// rows through the primary key whatever the table's statistics, so its cached plan stays right
// as the table grows from empty. Run in autocommit, it is its own transaction: one round trip
// with the commit. When any key is stored in another state (or moved meanwhile),
// lokahi_alerts_all_refreshed raises, so nothing is stored and the caller takes the general path.
constexpr const char* kRefreshSql = R"sql(
WITH u AS (
  INSERT INTO alerts AS a (source, id, subject, detail, importance, raise_at, webhook_url,
                           suppress_until, created_at, updated_at, state_changed_at)
  SELECT o.source, o.id, o.subject, o.detail, o.importance,
         timestamptz 'epoch' + o.raise_us * interval '1 microsecond', o.webhook_url,
         CASE WHEN o.suppress_us = 0 THEN NULL
              ELSE timestamptz 'epoch' + o.suppress_us * interval '1 microsecond' END,
         t.now, t.now, t.now
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::smallint[], $6::bigint[],
              $7::text[], $8::bigint[], $9::bigint[])
    AS o(source, id, subject, detail, importance, raise_us, webhook_url, suppress_us, micros),
    LATERAL (SELECT timestamptz 'epoch' + o.micros * interval '1 microsecond' AS now) t
  ON CONFLICT (source, id) DO UPDATE SET
    subject = excluded.subject, detail = excluded.detail, importance = excluded.importance,
    raise_at = excluded.raise_at,
    webhook_url = CASE WHEN excluded.webhook_url = '' THEN a.webhook_url
                       ELSE excluded.webhook_url END,
    suppress_until = coalesce(excluded.suppress_until, a.suppress_until),
    acknowledged_by = '', acknowledged_until = NULL, ack_note = '', next_reminder_at = NULL,
    updated_at = excluded.updated_at
  WHERE a.state = 0
  RETURNING a.*
)
SELECT )sql";
constexpr const char* kRefreshTail =
    " FROM u WHERE lokahi_alerts_all_refreshed($10::int, (SELECT count(*) FROM u))";
constexpr std::string_view kNotAllRefreshed = "LKA01";  // raised by lokahi_alerts_all_refreshed

// One submission of a group with the time it arrived at.
struct Timed {
  const alerts::ResolvedSubmission* submission;
  Timestamp now;
};

// The alerts after `timed` were applied by the one-statement refresh, by key, or nullopt when it
// does not apply (nothing was stored then).
std::optional<std::map<AlertKey, Alert>> TryRefresh(postgres::ConnectionPool& pool,
                                                    std::vector<Timed> timed) {
  for (const auto& t : timed) {
    if (!std::holds_alternative<Timestamp>(t.submission->raise)) return std::nullopt;
    if (t.submission->webhook_format) return std::nullopt;  // rare: the general path sets it
  }
  // Sorted, so two refreshes sharing keys lock them in one order; a key twice needs the general
  // path (each submission must see the one before it).
  std::sort(timed.begin(), timed.end(),
            [](const Timed& a, const Timed& b) { return a.submission->key < b.submission->key; });
  for (size_t i = 1; i < timed.size(); ++i) {
    if (timed[i].submission->key == timed[i - 1].submission->key) return std::nullopt;
  }
  std::vector<std::string> sources, ids, subjects, details, urls;
  std::vector<int64_t> importances, raise_at, suppress, updated;
  for (const auto& t : timed) {
    const auto& s = *t.submission;
    sources.push_back(s.key.source);
    ids.push_back(s.key.id);
    subjects.push_back(s.subject);
    details.push_back(s.detail);
    importances.push_back(static_cast<int64_t>(s.importance));
    raise_at.push_back(Micros(std::get<Timestamp>(s.raise)));
    urls.push_back(s.webhook_url);
    suppress.push_back(Micros(s.suppress_until));
    updated.push_back(Micros(t.now));
  }
  using postgres::IntArray;
  using postgres::TextArray;
  static const std::string kSql = std::string(kRefreshSql) + kColumns + kRefreshTail;
  auto connection = pool.Acquire();
  pqxx::result rows;
  try {
    pqxx::nontransaction autocommit(*connection);
    rows = ExecPrepared(autocommit, "lokahi_alerts_refresh", kSql, TextArray(sources),
                        TextArray(ids), TextArray(subjects), TextArray(details),
                        IntArray(importances), IntArray(raise_at), TextArray(urls),
                        IntArray(suppress), IntArray(updated), static_cast<int>(timed.size()));
  } catch (const pqxx::deadlock_detected&) {
    return std::nullopt;  // rolled back; the general path locks in key order
  } catch (const pqxx::sql_error& e) {
    if (e.sqlstate() == kNotAllRefreshed) return std::nullopt;
    throw;
  }
  if (rows.size() != timed.size()) return std::nullopt;  // none was PENDING: nothing changed
  std::map<AlertKey, Alert> after;
  for (const auto& row : rows) {
    auto alert = ReadAlert(row);
    auto key = alert.key;
    after.emplace(std::move(key), std::move(alert));
  }
  return after;
}

}  // namespace

PgAlertStore::Applied PgAlertStore::Submit(const std::vector<alerts::ResolvedSubmission>& batch,
                                           Timestamp now) {
  if (batch.size() >= options_.max_group_submissions) {
    return std::move(SubmitNow({Part{&batch, now}}).front());
  }
  Waiter me;
  me.batch = &batch;
  me.now = now;
  std::unique_lock lock(submit_mutex_);
  waiting_.push_back(&me);
  WakeNextLeader();
  me.woken.wait(lock, [&] {
    return me.outcome != Waiter::Outcome::kWaiting ||
           (waiting_.front() == &me && submitting_ < options_.concurrent_submits);
  });
  switch (me.outcome) {
    case Waiter::Outcome::kApplied:
      return std::move(me.applied);
    case Waiter::Outcome::kFailed:
      std::rethrow_exception(me.error);
    case Waiter::Outcome::kAlone:
      lock.unlock();
      return std::move(SubmitNow({Part{&batch, now}}).front());
    case Waiter::Outcome::kWaiting:
      break;  // first in line with a transaction free: lead a group
  }
  // The group: every batch waiting now, in arrival order, up to the size limit.
  std::vector<Waiter*> group;
  std::vector<Part> parts;
  size_t submissions = 0;
  while (!waiting_.empty() && (group.empty() || submissions + waiting_.front()->batch->size() <=
                                                    options_.max_group_submissions)) {
    Waiter* next = waiting_.front();
    waiting_.pop_front();
    group.push_back(next);
    parts.push_back({next->batch, next->now});
    submissions += next->batch->size();
  }
  ++submitting_;
  WakeNextLeader();
  lock.unlock();

  std::vector<Applied> applied;
  std::exception_ptr error;
  try {
    applied = SubmitNow(parts);
  } catch (...) {
    error = std::current_exception();
  }

  lock.lock();
  --submitting_;
  for (size_t i = 0; i < group.size(); ++i) {
    Waiter* w = group[i];
    if (!error) {
      w->applied = std::move(applied[i]);
      w->outcome = Waiter::Outcome::kApplied;
    } else if (group.size() == 1) {
      w->error = error;
      w->outcome = Waiter::Outcome::kFailed;
    } else {
      // Which batch failed it is unknown: each is tried alone, by its own caller.
      w->outcome = Waiter::Outcome::kAlone;
    }
    if (w != &me) w->woken.notify_one();
  }
  WakeNextLeader();
  lock.unlock();
  if (me.outcome == Waiter::Outcome::kFailed) std::rethrow_exception(error);
  if (me.outcome == Waiter::Outcome::kAlone)
    return std::move(SubmitNow({Part{&batch, now}}).front());
  return std::move(me.applied);
}

size_t PgAlertStore::QueuedSubmits() {
  std::lock_guard lock(submit_mutex_);
  return waiting_.size();
}

void PgAlertStore::WakeNextLeader() {
  if (!waiting_.empty() && submitting_ < options_.concurrent_submits) {
    waiting_.front()->woken.notify_one();
  }
}

std::vector<PgAlertStore::Applied> PgAlertStore::SubmitNow(const std::vector<Part>& parts) {
  std::vector<Timed> timed;
  for (const auto& part : parts) {
    for (const auto& s : *part.batch) timed.push_back({&s, part.now});
  }
  if (auto refreshed = TryRefresh(pool_, std::move(timed))) {
    std::vector<Applied> applied(parts.size());
    for (size_t p = 0; p < parts.size(); ++p) {
      for (const auto& s : *parts[p].batch) applied[p].alerts.push_back(refreshed->at(s.key));
    }
    return applied;
  }
  return WithRetry(pool_, [&](pqxx::work& txn) {
    std::set<AlertKey> keys;
    for (const auto& part : parts) {
      for (const auto& s : *part.batch) keys.insert(s.key);
    }
    std::map<AlertKey, PendingWrite> rows;
    for (auto& alert : LockKeys(txn, keys)) {
      auto key = alert.key;
      rows[key] = PendingWrite{std::move(alert), true};
    }

    std::vector<alerts::Change> changes;
    std::vector<Decided> decided;
    std::vector<Applied> applied(parts.size());
    for (size_t p = 0; p < parts.size(); ++p) {
      for (const auto& submission : *parts[p].batch) {
        const auto found = rows.find(submission.key);
        std::optional<Alert> stored;
        if (found != rows.end()) stored = found->second.alert;
        changes.push_back(alerts::ApplySubmission(stored, submission, parts[p].now));
        const auto& after = changes.back().after;
        if (found == rows.end()) {
          rows[submission.key] = PendingWrite{after, false};
        } else {
          found->second.alert = after;
        }
        applied[p].alerts.push_back(after);
      }
    }
    std::vector<PendingWrite> writes;
    for (auto& [key, row] : rows) writes.push_back(std::move(row));
    Write(txn, writes);
    // Pointers into `changes` taken once it no longer grows.
    size_t c = 0;
    for (const auto& part : parts) {
      for (size_t i = 0; i < part.batch->size(); ++i, ++c)
        decided.push_back({&changes[c], part.now});
    }
    const auto queued = Notify(txn, notifier_, decided);
    c = 0;
    for (size_t p = 0; p < parts.size(); ++p) {
      for (size_t i = 0; i < parts[p].batch->size(); ++i, ++c)
        applied[p].notifications += queued[c];
    }
    return applied;
  });
}

std::optional<Alert> PgAlertStore::Get(const AlertKey& key) {
  auto connection = pool_.Acquire();
  pqxx::read_transaction txn(*connection);
  const auto rows = txn.exec_params(
      std::string("SELECT ") + kColumns + " FROM alerts WHERE source = $1 AND id = $2", key.source,
      key.id);
  if (rows.empty()) return std::nullopt;
  return ReadAlert(rows[0]);
}

std::vector<NotificationRecord> PgAlertStore::Deliveries(const AlertKey& key, int limit) {
  auto connection = pool_.Acquire();
  pqxx::read_transaction txn(*connection);
  return NotificationsByKey(txn, alerts::NotificationOrderingKey(key), limit);
}

std::vector<std::string> PgAlertStore::SourcesOf(const std::string& id, int limit) {
  auto connection = pool_.Acquire();
  pqxx::read_transaction txn(*connection);
  std::vector<std::string> sources;
  for (const auto& row : txn.exec_params(
           "SELECT source FROM alerts WHERE id = $1 ORDER BY source LIMIT $2", id, limit)) {
    sources.push_back(row[0].as<std::string>());
  }
  return sources;
}

AlertPage PgAlertStore::List(const AlertListFilter& filter, int count,
                             const std::optional<AlertKey>& after) {
  // Only the filters given, each in a form an index serves (migration 112): a state's alerts in
  // List's order from alerts_by_state, a source's from the primary key, an id prefix as a LIKE
  // range on alerts_by_id (text_pattern_ops).
  std::string where;
  std::vector<std::string> params;  // all sent as text, cast where they are used
  const auto add = [&](const std::string& condition) {
    where += where.empty() ? " WHERE " : " AND ";
    where += condition;
  };
  if (filter.state) {
    params.push_back(std::to_string(static_cast<int>(*filter.state)));
    add("state = $" + std::to_string(params.size()) + "::smallint");
  }
  if (!filter.source.empty()) {
    params.push_back(filter.source);
    add("source = $" + std::to_string(params.size()));
  }
  if (!filter.id_prefix.empty()) {
    std::string pattern;
    for (const char c : filter.id_prefix) {
      if (c == '%' || c == '_' || c == '\\') pattern += '\\';
      pattern += c;
    }
    params.push_back(pattern + "%");
    add("id LIKE $" + std::to_string(params.size()));
  }
  if (after) {
    params.push_back(after->source);
    params.push_back(after->id);
    add("(source, id) > ($" + std::to_string(params.size() - 1) + ", $" +
        std::to_string(params.size()) + ")");
  }
  params.push_back(std::to_string(count + 1));
  auto connection = pool_.Acquire();
  pqxx::read_transaction txn(*connection);
  const auto rows =
      txn.exec_params(std::string("SELECT ") + kColumns + " FROM alerts" + where +
                          " ORDER BY source, id LIMIT $" + std::to_string(params.size()) + "::int",
                      pqxx::prepare::make_dynamic_params(params));
  AlertPage page;
  page.alerts = ReadAlerts(rows);
  if (static_cast<int>(page.alerts.size()) > count) {
    page.alerts.pop_back();
    page.more = true;
  }
  return page;
}

PgAlertStore::Mutated PgAlertStore::Mutate(const AlertKey& key, const Decide& decide,
                                           Timestamp now) {
  return WithRetry(pool_, [&](pqxx::work& txn) {
    Mutated mutated;
    auto locked = LockKeys(txn, {key});
    if (locked.empty()) return mutated;
    auto decision = decide(locked.front());
    if (auto* refusal = std::get_if<std::string>(&decision)) {
      mutated.refusal = std::move(*refusal);
      return mutated;
    }
    mutated.change = std::move(std::get<alerts::Change>(decision));
    Write(txn, {PendingWrite{mutated.change->after, true}});
    mutated.notifications = Notify(txn, notifier_, {&*mutated.change}, now);
    return mutated;
  });
}

PgAlertStore::TickResult PgAlertStore::RunDue(Timestamp now, std::chrono::seconds repeat,
                                              int limit) {
  auto connection = pool_.Acquire();
  pqxx::work txn(*connection);
  const auto select = std::string("SELECT ") + kColumns + " FROM alerts WHERE ";
  const auto tail =
      " <= timestamptz 'epoch' + $1::bigint * interval '1 microsecond'"
      " LIMIT $2 FOR UPDATE SKIP LOCKED";
  std::vector<Alert> due;
  for (const char* condition : {"state = 0 AND raise_at", "state = 2 AND acknowledged_until",
                                "state = 1 AND next_reminder_at"}) {
    auto rows = ReadAlerts(txn.exec_params(select + condition + tail, Micros(now), limit));
    due.insert(due.end(), std::make_move_iterator(rows.begin()),
               std::make_move_iterator(rows.end()));
  }
  TickResult result;
  std::vector<alerts::Change> changes;
  std::vector<PendingWrite> writes;
  for (const auto& alert : due) {
    auto change = alerts::Tick(alert, now, repeat);
    if (!change) continue;
    if (alert.state == alerts::State::kPending && alert.raise_at) {
      result.raise_lags.push_back(
          std::chrono::duration_cast<std::chrono::milliseconds>(now - *alert.raise_at));
    }
    writes.push_back(PendingWrite{change->after, true});
    changes.push_back(std::move(*change));
  }
  if (changes.empty()) return result;
  Write(txn, writes);
  std::vector<const alerts::Change*> ordered;
  for (const auto& change : changes) ordered.push_back(&change);
  result.notifications = Notify(txn, notifier_, ordered, now);
  txn.commit();
  result.changed = static_cast<int>(changes.size());
  return result;
}

int64_t PgAlertStore::PruneCleared(Timestamp before) {
  auto connection = pool_.Acquire();
  pqxx::work txn(*connection);
  const auto result = txn.exec_params(
      "DELETE FROM alerts WHERE state = 3"
      " AND state_changed_at < timestamptz 'epoch' + $1::bigint * interval '1 microsecond'",
      Micros(before));
  txn.commit();
  return static_cast<int64_t>(result.affected_rows());
}

}  // namespace lokahi::store
