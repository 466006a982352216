#include "lib/store/pg_alert_store.h"

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

// Queues the notifications of `changes` (in order) and returns how many.
int Notify(pqxx::work& txn, const AlertNotifier& notifier,
           const std::vector<const alerts::Change*>& changes, Timestamp now) {
  std::vector<const alerts::Change*> notifying;
  for (const auto* change : changes) {
    if (change->notify) notifying.push_back(change);
  }
  if (notifying.empty()) return 0;
  const auto ids = ReserveNotificationIds(txn, notifying.size());
  std::vector<OutgoingNotification> notices;
  for (size_t i = 0; i < notifying.size(); ++i) {
    if (auto notice = notifier(*notifying[i], ids[i], now)) notices.push_back(std::move(*notice));
  }
  EnqueueNotifications(txn, notices);
  return static_cast<int>(notices.size());
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

}  // namespace

PgAlertStore::Applied PgAlertStore::Submit(const std::vector<alerts::ResolvedSubmission>& batch,
                                           Timestamp now) {
  return WithRetry(pool_, [&](pqxx::work& txn) {
    std::set<AlertKey> keys;
    for (const auto& s : batch) keys.insert(s.key);
    std::map<AlertKey, PendingWrite> rows;
    for (auto& alert : LockKeys(txn, keys)) {
      auto key = alert.key;
      rows[key] = PendingWrite{std::move(alert), true};
    }

    std::vector<alerts::Change> changes;
    changes.reserve(batch.size());
    Applied applied;
    for (const auto& submission : batch) {
      const auto found = rows.find(submission.key);
      std::optional<Alert> stored;
      if (found != rows.end()) stored = found->second.alert;
      changes.push_back(alerts::ApplySubmission(stored, submission, now));
      const auto& after = changes.back().after;
      if (found == rows.end()) {
        rows[submission.key] = PendingWrite{after, false};
      } else {
        found->second.alert = after;
      }
      applied.alerts.push_back(after);
    }
    std::vector<PendingWrite> writes;
    for (auto& [key, row] : rows) writes.push_back(std::move(row));
    Write(txn, writes);
    std::vector<const alerts::Change*> ordered;
    for (const auto& change : changes) ordered.push_back(&change);
    applied.notifications = Notify(txn, notifier_, ordered, now);
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
  auto connection = pool_.Acquire();
  pqxx::read_transaction txn(*connection);
  const auto rows =
      txn.exec_params(std::string("SELECT ") + kColumns +
                          " FROM alerts"
                          " WHERE ($1::int < 0 OR state = $1::int)"
                          "   AND ($2::text = '' OR source = $2::text)"
                          "   AND ($3::text = '' OR left(id, length($3::text)) = $3::text)"
                          "   AND (NOT $4::boolean OR (source, id) > ($5::text, $6::text))"
                          " ORDER BY source, id LIMIT $7",
                      filter.state ? static_cast<int>(*filter.state) : -1, filter.source,
                      filter.id_prefix, after.has_value(), after ? after->source : std::string(),
                      after ? after->id : std::string(), count + 1);
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
