#include "lib/store/pg_result_writer.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>
#include <pqxx/pqxx>
#include <tuple>

#include "lib/postgres/pg_array.h"

namespace lokahi::store {
namespace {

using postgres::IntArray;
using postgres::TextArray;

struct StateRow {
  checks::Tracking tracking;
  checks::Thresholds thresholds;
  int64_t last_slot_ms = 0;
  // What the batch changes, written back in one statement.
  bool touched = false;
  int last_status = 0;
  int64_t last_latency_ns = 0;
  int64_t last_probed_us = 0;
  int64_t changed_us = 0;
};


}  // namespace

std::string FormatTimestampMicros(int64_t unix_us) {
  const time_t seconds = static_cast<time_t>(unix_us / 1000000);
  const int micros = static_cast<int>(unix_us % 1000000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[40];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d %02d:%02d:%02d.%06d+00", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, micros);
  return text;
}

WriteOutcome PgResultWriter::Write(const std::vector<ProbeRecord>& batch, int64_t skipped_slots) {
  WriteOutcome outcome;
  auto connection = pool_.Acquire();
  pqxx::work txn(*connection);

  if (!batch.empty()) {
    pqxx::stream_to copy(txn, "results",
                         std::vector<std::string>{"check_id", "due_at", "probed_at", "status_code",
                                                  "latency_ns", "dns_ns", "connect_ns", "tls_ns",
                                                  "first_byte_ns", "verdict", "error",
                                                  "cert_expires_at"});
    for (const auto& r : batch) {
      const std::string cert =
          r.cert_expires_unix ? FormatTimestampMicros(*r.cert_expires_unix * 1000000) : "";
      copy << std::make_tuple(r.check_id, FormatTimestampMicros(r.slot_ms * 1000),
                              FormatTimestampMicros(r.probed_unix_us), r.status_code, r.latency_ns,
                              r.dns_ns, r.connect_ns, r.tls_ns, r.first_byte_ns,
                              static_cast<int>(r.verdict), r.error,
                              r.cert_expires_unix ? cert.c_str() : static_cast<const char*>(nullptr));
    }
    copy.complete();
    outcome.results_written = batch.size();
  }

  std::vector<std::string> ids;
  for (const auto& r : batch) {
    if (r.applies_to_state) ids.push_back(r.check_id);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());

  std::map<std::string, StateRow> states;
  if (!ids.empty()) {
    const auto rows = txn.exec_params(
        "SELECT s.check_id::text, s.state, s.consecutive_failures, s.consecutive_successes,"
        " s.last_slot_ms, c.failure_threshold, c.recovery_threshold"
        " FROM check_states s JOIN checks c ON c.id = s.check_id"
        " WHERE s.check_id = ANY($1::uuid[]) ORDER BY s.check_id FOR UPDATE OF s",
        TextArray(ids));
    for (const auto& row : rows) {
      StateRow state;
      state.tracking = {static_cast<checks::State>(row[1].as<int>()), row[2].as<int>(),
                        row[3].as<int>()};
      state.last_slot_ms = row[4].as<int64_t>();
      state.thresholds = {row[5].as<int>(), row[6].as<int>()};
      states.emplace(row[0].as<std::string>(), state);
    }
  }

  // Slot order within each check, so a batch holding several slots of one check replays them
  // in the order they were due.
  std::vector<const ProbeRecord*> ordered;
  for (const auto& r : batch) {
    if (r.applies_to_state) ordered.push_back(&r);
  }
  std::stable_sort(ordered.begin(), ordered.end(), [](const ProbeRecord* a, const ProbeRecord* b) {
    return std::tie(a->check_id, a->slot_ms) < std::tie(b->check_id, b->slot_ms);
  });

  std::vector<std::string> t_check, t_error;
  std::vector<int64_t> t_from, t_to, t_at, t_slot, t_status, t_latency;
  for (const ProbeRecord* r : ordered) {
    const auto it = states.find(r->check_id);
    if (it == states.end()) continue;  // deleted since it was dispatched
    StateRow& state = it->second;
    if (r->slot_ms <= state.last_slot_ms) {
      ++outcome.stale_or_duplicate;
      continue;
    }
    const auto evaluation = checks::Evaluate(state.tracking, r->verdict, state.thresholds);
    if (evaluation.changed) {
      t_check.push_back(r->check_id);
      t_from.push_back(static_cast<int>(state.tracking.state));
      t_to.push_back(static_cast<int>(evaluation.next.state));
      t_at.push_back(r->probed_unix_us);
      t_slot.push_back(r->slot_ms);
      t_status.push_back(r->status_code);
      t_latency.push_back(r->latency_ns);
      t_error.push_back(r->error);
      state.changed_us = r->probed_unix_us;
    }
    state.tracking = evaluation.next;
    state.last_slot_ms = r->slot_ms;
    state.last_status = r->status_code;
    state.last_latency_ns = r->latency_ns;
    state.last_probed_us = r->probed_unix_us;
    state.touched = true;
  }

  std::vector<std::string> u_id;
  std::vector<int64_t> u_state, u_failures, u_successes, u_slot, u_status, u_latency, u_probed,
      u_changed;
  for (const auto& [id, state] : states) {
    if (!state.touched) continue;
    u_id.push_back(id);
    u_state.push_back(static_cast<int>(state.tracking.state));
    u_failures.push_back(state.tracking.consecutive_failures);
    u_successes.push_back(state.tracking.consecutive_successes);
    u_slot.push_back(state.last_slot_ms);
    u_status.push_back(state.last_status);
    u_latency.push_back(state.last_latency_ns);
    u_probed.push_back(state.last_probed_us);
    u_changed.push_back(state.changed_us);
  }
  if (!u_id.empty()) {
    txn.exec_params(
        "UPDATE check_states s SET state = u.state, consecutive_failures = u.failures,"
        " consecutive_successes = u.successes, last_slot_ms = u.slot,"
        " last_status_code = u.status, last_latency_ns = u.latency,"
        " last_probed_at = to_timestamp(u.probed_us / 1e6),"
        " state_changed_at = CASE WHEN u.changed_us > 0 THEN to_timestamp(u.changed_us / 1e6)"
        "   ELSE s.state_changed_at END"
        " FROM unnest($1::uuid[], $2::smallint[], $3::int[], $4::int[], $5::bigint[], $6::int[],"
        "   $7::bigint[], $8::bigint[], $9::bigint[])"
        "   AS u(check_id, state, failures, successes, slot, status, latency, probed_us, changed_us)"
        " WHERE s.check_id = u.check_id",
        TextArray(u_id), IntArray(u_state), IntArray(u_failures), IntArray(u_successes),
        IntArray(u_slot), IntArray(u_status), IntArray(u_latency), IntArray(u_probed),
        IntArray(u_changed));
  }
  if (!t_check.empty()) {
    const auto inserted = txn.exec_params(
        "INSERT INTO transitions (check_id, from_state, to_state, at, slot_ms, status_code,"
        " latency_ns, error)"
        " SELECT t.check_id, t.from_state, t.to_state, to_timestamp(t.at_us / 1e6), t.slot,"
        "   t.status, t.latency, t.error"
        " FROM unnest($1::uuid[], $2::smallint[], $3::smallint[], $4::bigint[], $5::bigint[],"
        "   $6::int[], $7::bigint[], $8::text[]) WITH ORDINALITY"
        "   AS t(check_id, from_state, to_state, at_us, slot, status, latency, error, n)"
        " ORDER BY t.n RETURNING id, check_id::text, from_state, to_state, slot_ms",
        TextArray(t_check), IntArray(t_from), IntArray(t_to), IntArray(t_at), IntArray(t_slot),
        IntArray(t_status), IntArray(t_latency), TextArray(t_error));
    for (const auto& row : inserted) {
      outcome.transitions.push_back({row[0].as<int64_t>(), row[1].as<std::string>(),
                                     static_cast<checks::State>(row[2].as<int>()),
                                     static_cast<checks::State>(row[3].as<int>()),
                                     row[4].as<int64_t>()});
    }
  }
  if (skipped_slots > 0) {
    txn.exec_params(
        "INSERT INTO skipped_slots (minute, count) VALUES (date_trunc('minute', now()), $1)"
        " ON CONFLICT (minute) DO UPDATE SET count = skipped_slots.count + excluded.count",
        skipped_slots);
  }
  txn.commit();
  return outcome;
}

}  // namespace lokahi::store
