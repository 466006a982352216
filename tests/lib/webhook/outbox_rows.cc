#include "tests/lib/webhook/outbox_rows.h"

#include "lib/postgres/migrator.h"
#include "lib/store/schema.h"
#include "tests/support/shared_services.h"

namespace lokahi::webhook::testrows {

std::string NewMigratedDatabase() {
  const auto url = testing::Services().postgres.NewDatabase();
  pqxx::connection connection(url);
  postgres::Migrate(connection, store::SchemaMigrations());
  return url;
}

std::string InsertCheck(pqxx::connection& connection, const CheckRow& row) {
  pqxx::work txn(connection);
  const auto id = txn.exec_params1(
                         "INSERT INTO checks (url, webhook_url, playbook_url, every_seconds,"
                         " timeout_ms, webhook_format, webhook_secret)"
                         " VALUES ($1, $2, $3, $4, 5000, $5, $6) RETURNING id::text",
                         row.url, row.webhook_url, row.playbook_url, row.every_seconds,
                         row.webhook_format, row.webhook_secret)[0]
                      .as<std::string>();
  txn.exec_params("INSERT INTO check_states (check_id) VALUES ($1::uuid)", id);
  txn.commit();
  return id;
}

int64_t InsertTransition(pqxx::connection& connection, const TransitionRow& row) {
  pqxx::work txn(connection);
  const auto id = txn.exec_params1(
                         "INSERT INTO transitions (check_id, from_state, to_state, at, slot_ms,"
                         " status_code, latency_ns, error)"
                         " VALUES ($1::uuid, $2, $3, " +
                             row.at_sql +
                             ", 0, $4, $5, $6)"
                             " RETURNING id",
                         row.check_id, row.from_state, row.to_state, row.status_code,
                         row.latency_ns, row.error)[0]
                      .as<int64_t>();
  txn.commit();
  return id;
}

OutboxRow ReadOutbox(pqxx::connection& connection, int64_t transition_id) {
  pqxx::read_transaction txn(connection);
  const auto r = txn.exec_params1(
      "SELECT delivery_state, attempts, coalesce(lease_until > now(), false),"
      " delivered_at IS NOT NULL, last_status_code, last_error,"
      " extract(epoch from next_attempt_at - now())::float8"
      " FROM transitions WHERE id = $1",
      transition_id);
  return OutboxRow{r[0].as<int>(), r[1].as<int>(),         r[2].as<bool>(),  r[3].as<bool>(),
                   r[4].as<int>(), r[5].as<std::string>(), r[6].as<double>()};
}

void InsertResult(pqxx::connection& connection, const std::string& check_id, int64_t latency_ns,
                  int status_code, int verdict, const std::string& probed_at_sql) {
  pqxx::work txn(connection);
  txn.exec_params(
      "INSERT INTO results (check_id, due_at, probed_at, status_code, latency_ns,"
      " verdict) VALUES ($1::uuid, " +
          probed_at_sql + ", " + probed_at_sql + ", $2, $3, $4)",
      check_id, status_code, latency_ns, verdict);
  txn.commit();
}

}  // namespace lokahi::webhook::testrows
