#include "lib/store/pg_maintenance_store.h"

#include <pqxx/pqxx>

#include "lib/postgres/pg_array.h"

namespace lokahi::store {
namespace {

constexpr int kSilenced = 3;  // transitions.delivery_state, migration 130
constexpr int kSettled = 4;

// Selected columns, in the order WindowFromRow reads them; `w` is maintenance_windows, and the
// current or next occurrence comes from its periods.
constexpr const char* kWindowSelect = R"sql(
SELECT w.id::text, w.check_ids::text[], w.selector,
       (extract(epoch FROM w.starts_at) * 1000000)::bigint,
       (extract(epoch FROM w.ends_at) * 1000000)::bigint,
       w.weekday, w.from_minute, w.to_minute, w.time_zone, w.reason,
       (extract(epoch FROM w.created_at) * 1000000)::bigint,
       (extract(epoch FROM p.starts_at) * 1000000)::bigint,
       (extract(epoch FROM p.ends_at) * 1000000)::bigint,
       coalesce(p.starts_at <= now(), false)
FROM maintenance_windows w
LEFT JOIN LATERAL (SELECT starts_at, ends_at FROM maintenance_periods
                   WHERE window_id = w.id AND ends_at > now()
                   ORDER BY starts_at LIMIT 1) p ON true
)sql";

std::optional<TimePoint> OptionalTime(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return FromUnixMicros(field.as<long long>());
}

std::vector<std::string> UuidArray(const pqxx::field& field) {
  std::vector<std::string> ids;
  auto parser = field.as_array();
  for (auto [juncture, value] = parser.get_next(); juncture != pqxx::array_parser::done;
       std::tie(juncture, value) = parser.get_next()) {
    if (juncture == pqxx::array_parser::string_value) ids.push_back(value);
  }
  return ids;
}

MaintenanceWindow WindowFromRow(const pqxx::row& row) {
  MaintenanceWindow w;
  w.id = row[0].as<std::string>();
  w.check_ids = UuidArray(row[1]);
  w.selector = row[2].as<std::string>();
  w.start = OptionalTime(row[3]);
  w.end = OptionalTime(row[4]);
  if (!row[5].is_null()) {
    w.weekly = maintenance::WeeklySchedule{row[5].as<int>(), row[6].as<int>(), row[7].as<int>(),
                                           row[8].as<std::string>()};
  }
  w.reason = row[9].as<std::string>();
  w.created_at = FromUnixMicros(row[10].as<long long>());
  w.next_start = OptionalTime(row[11]);
  w.next_end = OptionalTime(row[12]);
  w.active = row[13].as<bool>();
  return w;
}

std::optional<MaintenanceWindow> ReadWindow(pqxx::work& txn, const std::string& id) {
  const auto rows = txn.exec_params(std::string(kWindowSelect) + " WHERE w.id = $1::uuid", id);
  if (rows.empty()) return std::nullopt;
  return WindowFromRow(rows[0]);
}

std::string Micros(TimePoint t) {
  return std::to_string(
      std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count());
}

}  // namespace

MaintenanceWindow PgMaintenanceStore::Create(const NewMaintenanceWindow& window) {
  auto connection = pool_.Acquire();
  pqxx::work txn(*connection);
  if (!window.check_ids.empty()) {
    const auto missing = txn.exec_params(
        "SELECT want::text FROM unnest($1::uuid[]) AS want"
        " WHERE NOT EXISTS (SELECT 1 FROM checks c WHERE c.id = want) LIMIT 1",
        postgres::TextArray(window.check_ids));
    if (!missing.empty()) {
      throw MaintenanceRefused("no check with id " + missing[0][0].as<std::string>());
    }
  }
  if (window.weekly) {
    const auto known =
        txn.exec_params1("SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1)",
                         window.weekly->time_zone);
    if (!known[0].as<bool>()) {
      throw MaintenanceRefused("unknown time zone \"" + window.weekly->time_zone.substr(0, 100) +
                               "\": use an IANA name like Europe/Paris");
    }
  }
  std::optional<std::string> start, end;
  if (window.start) start = Micros(*window.start);
  if (window.end) end = Micros(*window.end);
  std::optional<long long> duration;
  if (window.duration) duration = window.duration->count();
  std::optional<int> weekday, from, to;
  std::optional<std::string> zone;
  if (window.weekly) {
    weekday = window.weekly->weekday;
    from = window.weekly->from_minute;
    to = window.weekly->to_minute;
    zone = window.weekly->time_zone;
  }
  const auto inserted = txn.exec_params1(
      "INSERT INTO maintenance_windows (check_ids, selector, selector_json, starts_at, ends_at,"
      " weekday, from_minute, to_minute, time_zone, reason)"
      " SELECT $1::uuid[], $2, $3::jsonb,"
      "   coalesce(to_timestamp($4::bigint / 1e6), CASE WHEN $6::bigint IS NOT NULL THEN now() "
      "END),"
      "   coalesce(to_timestamp($5::bigint / 1e6), now() + $6::bigint * interval '1 second'),"
      "   $7, $8, $9, $10, $11"
      " RETURNING id::text, ends_at IS NOT NULL AND ends_at <= now()",
      postgres::TextArray(window.check_ids), window.selector,
      window.selector_json.empty() ? "[]" : window.selector_json, start, end,
      duration, weekday, from, to, zone, window.reason);
  if (inserted[1].as<bool>()) {
    throw MaintenanceRefused("the window ends before now: give an end in the future");
  }
  txn.exec("SELECT lokahi_plan_maintenance()");
  auto created = ReadWindow(txn, inserted[0].as<std::string>());
  txn.commit();
  return *created;
}

std::vector<MaintenanceWindow> PgMaintenanceStore::List(int limit) {
  auto connection = pool_.Acquire();
  pqxx::work txn(*connection);
  std::vector<MaintenanceWindow> windows;
  for (const auto& row :
       txn.exec_params(std::string(kWindowSelect) + " WHERE w.deleted_at IS NULL"
                                                    " ORDER BY w.created_at, w.id LIMIT $1",
                       limit)) {
    windows.push_back(WindowFromRow(row));
  }
  txn.commit();
  return windows;
}

std::optional<MaintenanceWindow> PgMaintenanceStore::Delete(const std::string& id) {
  auto connection = pool_.Acquire();
  pqxx::work txn(*connection);
  auto window = ReadWindow(txn, id);
  const auto deleted = txn.exec_params(
      "UPDATE maintenance_windows SET deleted_at = now()"
      " WHERE id = $1::uuid AND deleted_at IS NULL RETURNING id",
      id);
  if (deleted.empty()) return std::nullopt;
  // Past occurrences stay: the uptime they left out stays left out.
  txn.exec_params(
      "DELETE FROM maintenance_periods WHERE window_id = $1::uuid AND starts_at > now()", id);
  txn.exec_params(
      "UPDATE maintenance_periods SET ends_at = now()"
      " WHERE window_id = $1::uuid AND ends_at > now()",
      id);
  txn.commit();
  return window;
}

int PgMaintenanceStore::Upkeep() {
  auto connection = pool_.Acquire();
  pqxx::work txn(*connection);
  txn.exec("SELECT lokahi_plan_maintenance()");
  const auto ended = txn.exec_params(
      "SELECT DISTINCT check_id::text FROM transitions"
      " WHERE delivery_state = $1 AND NOT lokahi_in_maintenance(check_id, now())",
      kSilenced);
  if (ended.empty()) {
    txn.commit();
    return 0;
  }
  std::vector<std::string> ids;
  for (const auto& row : ended) ids.push_back(row[0].as<std::string>());
  // Result writers update these rows when they decide a transition: holding them orders the
  // notification below before any transition decided after it.
  txn.exec_params(
      "SELECT 1 FROM check_states WHERE check_id = ANY($1::uuid[]) ORDER BY check_id FOR UPDATE",
      postgres::TextArray(ids));
  // The first silenced transition of a run left the state receivers were last told; the last
  // one holds the state now.
  const auto queued = txn.exec_params(
      R"sql(
WITH settled AS (
  UPDATE transitions SET delivery_state = $3
  WHERE check_id = ANY($1::uuid[]) AND delivery_state = $2
  RETURNING id, check_id, from_state, to_state, at, slot_ms, status_code, latency_ns, error
), runs AS (
  SELECT check_id, (array_agg(from_state ORDER BY id))[1] AS told, max(id) AS last_id
  FROM settled GROUP BY check_id
)
INSERT INTO transitions (check_id, from_state, to_state, at, slot_ms, status_code, latency_ns,
                         error)
SELECT s.check_id, r.told, s.to_state, s.at, s.slot_ms, s.status_code, s.latency_ns, s.error
FROM runs r JOIN settled s ON s.id = r.last_id
WHERE r.told <> s.to_state
ORDER BY s.check_id
RETURNING id
)sql",
      postgres::TextArray(ids), kSilenced, kSettled);
  txn.commit();
  return static_cast<int>(queued.size());
}

}  // namespace lokahi::store
