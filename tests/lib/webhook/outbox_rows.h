#pragma once
// Test rows for the webhook outbox, written with plain SQL (the healthworker and API that write
// them in production are not part of these tests).

#include <cstdint>
#include <pqxx/pqxx>
#include <string>
#include <utility>

namespace lokahi::webhook::testrows {

// A fresh database on the shared test Postgres with the schema migrated; returns its URL.
std::string NewMigratedDatabase();

struct CheckRow {
  CheckRow(std::string webhook_url = "", std::string webhook_secret = "", int webhook_format = 0,
           std::string url = "http://127.0.0.1:9/health",
           std::string playbook_url = "https://wiki.example.com/runbook", int every_seconds = 60)
      : webhook_url(std::move(webhook_url)),
        webhook_secret(std::move(webhook_secret)),
        webhook_format(webhook_format),
        url(std::move(url)),
        playbook_url(std::move(playbook_url)),
        every_seconds(every_seconds) {}
  std::string webhook_url;
  std::string webhook_secret;
  int webhook_format;
  std::string url;
  std::string playbook_url;
  int every_seconds;
};
// Inserts the check and its check_states row; returns the id.
std::string InsertCheck(pqxx::connection& connection, const CheckRow& row);

struct TransitionRow {
  std::string check_id;
  int from_state = 1;
  int to_state = 2;
  int status_code = 503;
  int64_t latency_ns = 1500000;
  std::string error;
  // SQL expression for `at`, e.g. "now() - interval '2 days'".
  std::string at_sql = "now()";
};
int64_t InsertTransition(pqxx::connection& connection, const TransitionRow& row);

struct OutboxRow {
  int delivery_state = -1;
  int attempts = 0;
  bool leased = false;  // lease_until set and in the future
  bool delivered_at_set = false;
  int last_status_code = 0;
  std::string last_error;
  double next_attempt_in_seconds = 0;  // next_attempt_at - now()
};
OutboxRow ReadOutbox(pqxx::connection& connection, int64_t transition_id);

// One probe result; `probed_at_sql` is an SQL expression.
void InsertResult(pqxx::connection& connection, const std::string& check_id, int64_t latency_ns,
                  int status_code, int verdict, const std::string& probed_at_sql = "now()");

}  // namespace lokahi::webhook::testrows
