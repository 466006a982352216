#include "lib/store/pg_result_writer.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>
#include <stdexcept>
#include <pqxx/pqxx>
#include <tuple>

#include "lib/postgres/pg_array.h"
#include "lib/store/batch_stats.h"

namespace lokahi::store {
namespace {

using postgres::IntArray;
using postgres::TextArray;

struct StateRow {
  checks::Tracking tracking;
  checks::Thresholds thresholds;
  bool confirm = true;  // transitions out of UP wait for another worker's probe
  int64_t last_slot_ms = 0;
  // As read: the compare-and-set's expectation.
  int read_state = 0;
  int64_t read_slot_ms = 0;
  // What the batch changes, written back in one statement.
  bool touched = false;
  int last_status = 0;
  int64_t last_latency_ns = 0;
  int64_t last_probed_us = 0;
  int64_t changed_us = 0;
};

// Concurrent writers rarely touch one check at once (a duplicate dispatch, a takeover); a row that
// keeps moving under us this often means something else is wrong.
constexpr int kMaxStateAttempts = 8;

// transitions.confirmation: 0 needed none (or the check does not confirm).
constexpr int kTransitionConfirmed = 1;
constexpr int kTransitionUnconfirmed = 2;

// The per-row statements below touch a few thousand of possibly millions of checks: one index
// probe each. With default costs the planner prefers hashing the whole table per batch, which
// at 100,000 checks was most of Postgres's time; nested loops also take row locks in id order.
void PreferIndexLookups(pqxx::work& txn) {
  txn.exec("SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off;"
           " SET LOCAL enable_seqscan = off");
}

// The current state of every check `records` refers to (absent: deleted), without locking.
std::map<std::string, StateRow> LoadStates(pqxx::work& txn,
                                           const std::vector<const ProbeRecord*>& records) {
  std::vector<std::string> ids;
  for (const ProbeRecord* r : records) {
    if (ids.empty() || ids.back() != r->check_id) ids.push_back(r->check_id);  // sorted by id
  }
  std::map<std::string, StateRow> states;
  const auto rows = txn.exec_params(
      "SELECT s.check_id::text, s.state, s.consecutive_failures, s.consecutive_successes,"
      " s.last_slot_ms, c.failure_threshold, c.recovery_threshold, c.notify_failure_kind_change,"
      " c.confirm"
      " FROM unnest($1::uuid[]) AS want(id)"
      " JOIN check_states s ON s.check_id = want.id JOIN checks c ON c.id = want.id",
      TextArray(ids));
  for (const auto& row : rows) {
    StateRow state;
    state.tracking = {static_cast<checks::State>(row[1].as<int>()), row[2].as<int>(),
                      row[3].as<int>()};
    state.last_slot_ms = row[4].as<int64_t>();
    state.read_state = static_cast<int>(state.tracking.state);
    state.read_slot_ms = state.last_slot_ms;
    state.thresholds = {row[5].as<int>(), row[6].as<int>(), row[7].as<bool>()};
    state.confirm = row[8].as<bool>();
    states.emplace(row[0].as<std::string>(), state);
  }
  return states;
}

// Writes back the touched states where each row is still as LoadStates read it; returns the ids
// updated.
std::set<std::string> UpdateStates(pqxx::work& txn, const std::map<std::string, StateRow>& states) {
  std::vector<std::string> u_id;
  std::vector<int64_t> u_state, u_failures, u_successes, u_slot, u_status, u_latency, u_probed,
      u_changed, u_read_state, u_read_slot;
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
    u_read_state.push_back(state.read_state);
    u_read_slot.push_back(state.read_slot_ms);
  }
  std::set<std::string> updated;
  if (u_id.empty()) return updated;
  const auto rows = txn.exec_params(
      "UPDATE check_states s SET state = u.state, consecutive_failures = u.failures,"
      " consecutive_successes = u.successes, last_slot_ms = u.slot,"
      " last_status_code = u.status, last_latency_ns = u.latency,"
      " last_probed_at = to_timestamp(u.probed_us / 1e6),"
      " state_changed_at = CASE WHEN u.changed_us > 0 THEN to_timestamp(u.changed_us / 1e6)"
      "   ELSE s.state_changed_at END"
      " FROM unnest($1::uuid[], $2::smallint[], $3::int[], $4::int[], $5::bigint[], $6::int[],"
      "   $7::bigint[], $8::bigint[], $9::bigint[], $10::smallint[], $11::bigint[])"
      "   AS u(check_id, state, failures, successes, slot, status, latency, probed_us, changed_us,"
      "        read_state, read_slot)"
      " WHERE s.check_id = u.check_id AND s.state = u.read_state AND s.last_slot_ms = u.read_slot"
      " RETURNING s.check_id::text",
      TextArray(u_id), IntArray(u_state), IntArray(u_failures), IntArray(u_successes),
      IntArray(u_slot), IntArray(u_status), IntArray(u_latency), IntArray(u_probed),
      IntArray(u_changed), IntArray(u_read_state), IntArray(u_read_slot));
  for (const auto& row : rows) updated.insert(row[0].as<std::string>());
  return updated;
}

}  // namespace

std::string FormatTimestampMicros(int64_t unix_us) {
  const time_t seconds = static_cast<time_t>(unix_us / 1000000);
  const int micros = static_cast<int>(unix_us % 1000000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];  // room for any int fields, so the compiler can prove no truncation
  std::snprintf(text, sizeof text, "%04d-%02d-%02d %02d:%02d:%02d.%06d+00", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, micros);
  return text;
}

WriteOutcome PgResultWriter::Write(const std::vector<ProbeRecord>& batch, int64_t skipped_slots) {
  try {
    return WriteTransaction(batch, skipped_slots);
  } catch (const pqxx::sql_error& e) {
    const std::string state = e.sqlstate();
    if (state.rfind("22", 0) == 0 || state.rfind("23", 0) == 0) {
      throw RowsRejected(std::string("SQLSTATE ") + state + ": " + e.what());
    }
    throw;
  }
}

WriteOutcome PgResultWriter::WriteTransaction(const std::vector<ProbeRecord>& batch,
                                              int64_t skipped_slots) {
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
    InsertBatchStats(txn, SummariseBatch(batch));
  }

  PreferIndexLookups(txn);
  // Scheduled probes in slot order within each check, so a batch holding several slots of one
  // check replays them in the order they were due.
  std::vector<const ProbeRecord*> pending;
  for (const auto& r : batch) {
    // An INCONCLUSIVE result (the worker's own path was impaired) is kept but decides nothing.
    if (r.applies_to_state && r.verdict != checks::Verdict::kInconclusive) pending.push_back(&r);
  }
  std::stable_sort(pending.begin(), pending.end(), [](const ProbeRecord* a, const ProbeRecord* b) {
    return std::tie(a->check_id, a->slot_ms) < std::tie(b->check_id, b->slot_ms);
  });

  // Optimistic compare-and-set: read the states without locking, decide, and update only rows
  // still as read. A row another writer moved meanwhile is re-read (READ COMMITTED: each statement
  // sees what has committed) and decided again, so concurrent writers record one transition per
  // change. Locking the rows first (FOR UPDATE) cost a WAL record and a dirtied page per check.
  std::vector<std::string> t_check, t_error;
  std::vector<int64_t> t_from, t_to, t_at, t_slot, t_status, t_latency;
  for (int attempt = 1; !pending.empty(); ++attempt) {
    if (attempt > kMaxStateAttempts) {
      throw std::runtime_error("check states kept changing under concurrent writers (" +
                               std::to_string(pending.size()) + " results undecided after " +
                               std::to_string(kMaxStateAttempts) + " attempts)");
    }
    std::map<std::string, StateRow> states = LoadStates(txn, pending);
    std::vector<std::string> c_check, c_error;
    std::vector<int64_t> c_from, c_to, c_at, c_slot, c_status, c_latency;
    std::vector<const ProbeRecord*> stale;
    std::vector<ConfirmationRequest> held;
    for (const ProbeRecord* r : pending) {
      const auto it = states.find(r->check_id);
      if (it == states.end()) continue;  // deleted since it was dispatched
      StateRow& state = it->second;
      if (r->slot_ms <= state.last_slot_ms) {
        stale.push_back(r);
        continue;
      }
      auto evaluation = checks::Evaluate(state.tracking, r->verdict, state.thresholds);
      if (evaluation.changed && state.confirm && state.tracking.state == checks::State::kUp) {
        // Out of UP only once another worker agrees: the failure counts, the state waits.
        held.push_back({*r, evaluation.next.state});
        evaluation.next.state = checks::State::kUp;
        evaluation.changed = false;
      }
      if (evaluation.changed) {
        c_check.push_back(r->check_id);
        c_from.push_back(static_cast<int>(state.tracking.state));
        c_to.push_back(static_cast<int>(evaluation.next.state));
        c_at.push_back(r->probed_unix_us);
        c_slot.push_back(r->slot_ms);
        c_status.push_back(r->status_code);
        c_latency.push_back(r->latency_ns);
        c_error.push_back(r->error);
        state.changed_us = r->probed_unix_us;
      }
      state.tracking = evaluation.next;
      state.last_slot_ms = r->slot_ms;
      state.last_status = r->status_code;
      state.last_latency_ns = r->latency_ns;
      state.last_probed_us = r->probed_unix_us;
      state.touched = true;
    }

    const std::set<std::string> updated = UpdateStates(txn, states);
    // Transitions of checks whose update landed are final; the others are decided again.
    for (size_t i = 0; i < c_check.size(); ++i) {
      if (!updated.count(c_check[i])) continue;
      t_check.push_back(c_check[i]);
      t_from.push_back(c_from[i]);
      t_to.push_back(c_to[i]);
      t_at.push_back(c_at[i]);
      t_slot.push_back(c_slot[i]);
      t_status.push_back(c_status[i]);
      t_latency.push_back(c_latency[i]);
      t_error.push_back(c_error[i]);
    }
    for (auto& h : held) {
      if (updated.count(h.record.check_id)) outcome.confirmations.push_back(std::move(h));
    }
    const auto lost_race = [&](const ProbeRecord* r) {
      const auto it = states.find(r->check_id);
      return it != states.end() && it->second.touched && !updated.count(r->check_id);
    };
    for (const ProbeRecord* r : stale) {
      if (!lost_race(r)) ++outcome.stale_or_duplicate;
    }
    std::erase_if(pending, [&](const ProbeRecord* r) { return !lost_race(r); });
  }
  if (!t_check.empty()) {
    const auto inserted = txn.exec_params(
        "INSERT INTO transitions (check_id, from_state, to_state, at, slot_ms, status_code,"
        " latency_ns, error, delivery_state)"
        " SELECT t.check_id, t.from_state, t.to_state, to_timestamp(t.at_us / 1e6), t.slot,"
        "   t.status, t.latency, t.error,"
        // In maintenance: recorded silenced, settled by lokahid when the window ends.
        "   CASE WHEN lokahi_in_maintenance(t.check_id, to_timestamp(t.at_us / 1e6)) THEN 3"
        "     ELSE 0 END"
        " FROM unnest($1::uuid[], $2::smallint[], $3::smallint[], $4::bigint[], $5::bigint[],"
        "   $6::int[], $7::bigint[], $8::text[]) WITH ORDINALITY"
        "   AS t(check_id, from_state, to_state, at_us, slot, status, latency, error, n)"
        " ORDER BY t.n RETURNING id, check_id::text, from_state, to_state, slot_ms, delivery_state",
        TextArray(t_check), IntArray(t_from), IntArray(t_to), IntArray(t_at), IntArray(t_slot),
        IntArray(t_status), IntArray(t_latency), TextArray(t_error));
    for (const auto& row : inserted) {
      if (row[5].as<int>() != 0) continue;  // silenced: nothing to deliver now
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

WriteOutcome PgResultWriter::ApplyConfirmations(const std::vector<ConfirmationResult>& results) {
  WriteOutcome outcome;
  std::vector<std::string> v_check, c_check, c_error;
  std::vector<int64_t> c_to, c_at, c_slot, c_status, c_latency, c_confirmation;
  std::set<std::string> seen;
  for (const auto& result : results) {
    const ProbeRecord& r = result.request.record;
    // One decision per check and call: a second for the same check would join the one update
    // twice and record its transition twice. A later one finds the state already decided.
    if (!seen.insert(r.check_id).second) continue;
    if (result.verdict == ConfirmationVerdict::kVetoed) {
      v_check.push_back(r.check_id);
      continue;
    }
    c_check.push_back(r.check_id);
    c_to.push_back(static_cast<int>(result.request.to));
    c_at.push_back(r.probed_unix_us);
    c_slot.push_back(r.slot_ms);
    c_status.push_back(r.status_code);
    c_latency.push_back(r.latency_ns);
    c_error.push_back(r.error);
    c_confirmation.push_back(result.verdict == ConfirmationVerdict::kConfirmed
                                 ? kTransitionConfirmed
                                 : kTransitionUnconfirmed);
  }
  auto connection = pool_.Acquire();
  pqxx::work txn(*connection);
  if (!v_check.empty()) {
    txn.exec_params(
        "UPDATE check_states s SET consecutive_failures = 0,"
        " disagreements = s.disagreements + 1"
        " FROM unnest($1::uuid[]) AS v(check_id)"
        " WHERE s.check_id = v.check_id AND s.state = 1",
        TextArray(v_check));
  }
  if (!c_check.empty()) {
    // Still UP with its failures counted: no success (nor another decision) came in between.
    const auto rows = txn.exec_params(
        "WITH t AS (SELECT * FROM unnest($1::uuid[], $2::smallint[], $3::bigint[], $4::bigint[],"
        "     $5::int[], $6::bigint[], $7::text[], $8::smallint[]) WITH ORDINALITY"
        "     AS t(check_id, to_state, at_us, slot, status, latency, error, confirmation, n)),"
        " moved AS (UPDATE check_states s SET state = t.to_state, consecutive_successes = 0,"
        "     state_changed_at = to_timestamp(t.at_us / 1e6)"
        "   FROM t JOIN checks c ON c.id = t.check_id"
        "   WHERE s.check_id = t.check_id AND s.state = 1"
        "     AND s.consecutive_failures >= c.failure_threshold"
        "   RETURNING s.check_id)"
        " INSERT INTO transitions (check_id, from_state, to_state, at, slot_ms, status_code,"
        "   latency_ns, error, confirmation, delivery_state)"
        " SELECT t.check_id, 1, t.to_state, to_timestamp(t.at_us / 1e6), t.slot, t.status,"
        "   t.latency, t.error, t.confirmation,"
        "   CASE WHEN lokahi_in_maintenance(t.check_id, to_timestamp(t.at_us / 1e6)) THEN 3"
        "     ELSE 0 END"  // silenced in maintenance, as in WriteTransaction
        " FROM t JOIN moved USING (check_id) ORDER BY t.n"
        " RETURNING id, check_id::text, from_state, to_state, slot_ms, delivery_state",
        TextArray(c_check), IntArray(c_to), IntArray(c_at), IntArray(c_slot), IntArray(c_status),
        IntArray(c_latency), TextArray(c_error), IntArray(c_confirmation));
    for (const auto& row : rows) {
      if (row[5].as<int>() != 0) continue;  // silenced: nothing to deliver now
      outcome.transitions.push_back({row[0].as<int64_t>(), row[1].as<std::string>(),
                                     static_cast<checks::State>(row[2].as<int>()),
                                     static_cast<checks::State>(row[3].as<int>()),
                                     row[4].as<int64_t>()});
    }
  }
  txn.commit();
  return outcome;
}

}  // namespace lokahi::store
