#include "lokahid/scheduler.h"

#include <google/protobuf/io/coded_stream.h>

#include <algorithm>
#include <pqxx/pqxx>

#include "internal.pb.h"
#include "lokahid/maintenance.h"

namespace lokahi::lokahid {
namespace {
// Identifies the scheduler's advisory lock among others in the database.
constexpr int64_t kSchedulerLockKey = 0x6c6f6b6168690002LL;
// How far back version polls reach, to see transactions that committed out of order.
constexpr int64_t kVersionLookbackMs = 5000;

// Adds `skipped` slots to this minute's skipped_slots row (nothing when 0).
void RecordSkipped(pqxx::work& txn, int64_t skipped) {
  if (skipped <= 0) return;
  txn.exec_params(
      "INSERT INTO skipped_slots (minute, count) VALUES (date_trunc('minute', now()), $1)"
      " ON CONFLICT (minute) DO UPDATE SET count = skipped_slots.count + excluded.count",
      skipped);
}

// Room for RunBatch's own fields (dispatched_unix_ms, deliver_by_unix_ms: tag + varint each).
constexpr size_t kBatchHeaderBytes = 2 * (1 + 10);

// How long after dispatch a batch may still reach a worker: half the shortest interval in it
// (so no check has two slots in that window), between 0.5 and 5 seconds.
int64_t DeliverWithinMs(int min_every_seconds) {
  return std::clamp<int64_t>(int64_t{min_every_seconds} * 1000 / 2, 500, 5000);
}

int64_t UnixMillis(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
}  // namespace

Scheduler::Scheduler(SchedulerOptions options, BatchChannel& channel, Clock clock,
                     logging::Logger& log)
    : options_(std::move(options)),
      channel_(channel),
      clock_(std::move(clock)),
      log_(log),
      first_probes_(options_.first_probes_per_second) {}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void Scheduler::Stop() {
  stopping_.store(true);
  if (thread_.joinable()) thread_.join();
}

void Scheduler::Loop() {
  while (!stopping_.load()) {
    bool active = false;
    try {
      active = TryBecomeActive();
      if (active) RunActive();
    } catch (const std::exception& e) {
      log_.Error("scheduler_failed", {{"error", e.what()}});
    }
    if (active || stats_.active.load()) Resign();
    const auto until = std::chrono::steady_clock::now() + options_.lease_retry;
    while (!stopping_.load() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
}

bool Scheduler::TryBecomeActive() {
  if (!connection_ || !connection_->is_open()) {
    connection_ = std::make_unique<pqxx::connection>(options_.database_url);
  }
  {
    pqxx::nontransaction txn(*connection_);
    if (!txn.exec_params1("SELECT pg_try_advisory_lock($1)", kSchedulerLockKey)[0].as<bool>()) {
      return false;
    }
  }
  const int64_t now_ms = UnixMillis(clock_());
  int64_t start_after = now_ms;
  int64_t gap_ms = 0;
  {
    pqxx::work txn(*connection_);
    const auto rows = txn.exec("SELECT dispatched_until_ms, holder FROM scheduler_state");
    if (!rows.empty()) {
      const int64_t dispatched_until = rows[0][0].as<int64_t>();
      // Resume right after the previous holder; a gap longer than catch_up is skipped.
      start_after = std::max(dispatched_until, now_ms - options_.catch_up.count());
      start_after = std::min(start_after, now_ms);
      gap_ms = std::max<int64_t>(0, start_after - dispatched_until);
      log_.Info("scheduler_takeover", {{"previous_holder", rows[0][1].as<std::string>()},
                                       {"gap_ms", now_ms - dispatched_until}});
    }
  }
  queue_.Clear();
  int64_t skipped_in_gap = 0;
  const int64_t newest = catalog_.LoadAll(*connection_, [&](ScheduledCheck&& check) {
    // Slots in the gap between the previous holder's progress and start_after are skipped.
    skipped_in_gap += gap_ms / (int64_t{check.every_seconds} * 1000);
    queue_.Upsert(std::move(check), 0);
  });
  // Every check sits at due 0; popping up to start_after moves each to its first slot after
  // start_after without dispatching anything (what it pops and "skips" here is not real).
  {
    std::vector<DueCheck> discard;
    int64_t not_real = 0;
    queue_.PopDue(start_after, discard, not_real);
  }
  pending_skipped_ = skipped_in_gap;
  version_history_.clear();
  // Re-read recent versions for a while: creates in flight during the load commit shortly after.
  poll_from_version_ = std::max<int64_t>(0, newest - 10000);
  version_history_.push_back({now_ms, newest});
  stats_.checks.store(static_cast<long long>(queue_.size()));
  stats_.active.store(true);
  log_.Info("scheduler_active", {{"holder", options_.holder_name},
                                 {"checks", static_cast<long long>(queue_.size())},
                                 {"resume_after_ms", start_after}});
  return true;
}

void Scheduler::RunActive() {
  auto next_poll = std::chrono::steady_clock::now();
  auto next_maintenance = std::chrono::steady_clock::now();
  while (!stopping_.load()) {
    const auto tick_start = std::chrono::steady_clock::now();
    if (tick_start >= next_maintenance) {
      try {
        RunMaintenance(*connection_, options_.result_retention_days, log_);
      } catch (const pqxx::broken_connection&) {
        throw;
      } catch (const std::exception& e) {
        log_.Warn("maintenance_failed", {{"error", e.what()}});
      }
      next_maintenance = tick_start + options_.maintenance_every;
    }
    const int64_t now_ms = UnixMillis(clock_());
    if (tick_start >= next_poll) {
      ApplyChanges(now_ms);
      next_poll = tick_start + options_.poll_changes;
    }
    Dispatch(now_ms);
    const auto elapsed = std::chrono::steady_clock::now() - tick_start;
    if (elapsed < options_.tick) std::this_thread::sleep_for(options_.tick - elapsed);
  }
  CountLastSkips();
}

void Scheduler::ApplyChanges(int64_t now_ms) {
  CatalogSinks sinks;
  sinks.upserted = [&](ScheduledCheck&& check) {
    const int64_t queued_version = queue_.Version(check.id);
    if (queued_version == check.version) return;
    // A new check is probed as soon as the first-probe pace allows. An edited one keeps its
    // next slot (sooner if its new interval ends first): editing a check, or re-applying a
    // configuration more often than its interval, never postpones its probes.
    if (queued_version >= 0) {
      queue_.Edit(std::move(check), now_ms);
    } else {
      queue_.Upsert(std::move(check), first_probes_.Next(now_ms));
    }
  };
  sinks.deleted = [&](const std::string& id) { queue_.Remove(id); };
  const int64_t newest_version = catalog_.ChangesSince(*connection_, poll_from_version_, sinks);
  version_history_.push_back({now_ms, newest_version});
  // Next poll starts from the newest version seen at least kVersionLookbackMs ago.
  while (version_history_.size() > 1 && version_history_[1].first <= now_ms - kVersionLookbackMs) {
    version_history_.erase(version_history_.begin());
  }
  if (version_history_.front().first <= now_ms - kVersionLookbackMs) {
    poll_from_version_ = std::max(poll_from_version_, version_history_.front().second);
  }
  stats_.checks.store(static_cast<long long>(queue_.size()));
}

std::vector<std::pair<std::string, int64_t>> Scheduler::BuildBatches(
    const std::vector<DueCheck>& due, int64_t now_ms, int64_t& oversized) {
  using google::protobuf::io::CodedOutputStream;
  const size_t max_payload = channel_.MaxPayload();
  std::vector<std::pair<std::string, int64_t>> batches;
  lokahi::internal::RunBatch batch;
  size_t batch_bytes = 0;
  int min_every_seconds = 0;
  const auto seal = [&] {
    if (batch.checks_size() == 0) return;
    batch.set_dispatched_unix_ms(now_ms);
    batch.set_deliver_by_unix_ms(now_ms + DeliverWithinMs(min_every_seconds));
    batches.emplace_back(batch.SerializeAsString(), batch.checks_size());
    batch.Clear();
    batch_bytes = 0;
    min_every_seconds = 0;
  };
  for (const auto& d : due) {
    lokahi::internal::CheckSpec spec;
    spec.set_id(d.check.id);
    spec.set_url(d.check.url);
    spec.set_timeout_ms(d.check.timeout_ms);
    spec.set_expected_status(d.check.expected_status);
    spec.set_every(d.check.every_seconds);
    spec.set_due_unix_ms(d.due_ms);
    // Request options (fields 20-39), serialized once when the check was read.
    if (d.check.probe_spec) spec.MergeFromString(*d.check.probe_spec);
    const size_t spec_bytes = spec.ByteSizeLong();
    // Field tag, length, message.
    const size_t entry_bytes =
        1 + CodedOutputStream::VarintSize64(static_cast<uint64_t>(spec_bytes)) + spec_bytes;
    if (kBatchHeaderBytes + entry_bytes > max_payload) {
      ++oversized;
      if (oversized_logged_.insert(d.check.id).second) {
        log_.Warn("check_too_large_to_dispatch",
                  {{"check_id", d.check.id},
                   {"bytes", static_cast<long long>(entry_bytes)},
                   {"max_payload", static_cast<long long>(max_payload)},
                   {"url_prefix", d.check.url.substr(0, 100)}});
      }
      continue;
    }
    if (batch.checks_size() > 0 &&
        (batch_bytes + entry_bytes + kBatchHeaderBytes > max_payload ||
         static_cast<size_t>(batch.checks_size()) >= options_.max_batch)) {
      seal();
    }
    *batch.add_checks() = std::move(spec);
    batch_bytes += entry_bytes;
    min_every_seconds = min_every_seconds == 0 ? d.check.every_seconds
                                               : std::min(min_every_seconds, d.check.every_seconds);
  }
  seal();
  return batches;
}

void Scheduler::Dispatch(int64_t now_ms) {
  std::vector<DueCheck> due;
  const int64_t unrouted = channel_.TakeUnrouted();
  int64_t skipped = pending_skipped_ + unrouted;
  pending_skipped_ = 0;
  queue_.PopDue(now_ms, due, skipped);
  // While NATS is disconnected a published batch would wait in the client's buffer and reach
  // the workers late, all at once, after the reconnect: these slots are skipped instead.
  int64_t disconnected = 0;
  if (!due.empty() && !channel_.Connected()) {
    disconnected = static_cast<int64_t>(due.size());
    due.clear();
    if (!paused_) log_.Warn("dispatch_paused", {{"reason", "NATS disconnected"}});
    paused_ = true;
  } else if (!due.empty() && paused_) {
    paused_ = false;
    log_.Info("dispatch_resumed", {});
  }
  int64_t oversized = 0;
  const auto batches = BuildBatches(due, now_ms, oversized);
  skipped += disconnected + oversized;
  {
    // Commit progress before publishing: a crash here loses at most this tick's slots, never
    // sends one twice. Failure means the connection (and so the lock) is gone: stop dispatching.
    pqxx::work txn(*connection_);
    txn.exec_params(
        "INSERT INTO scheduler_state (singleton, dispatched_until_ms, holder, updated_at)"
        " VALUES (true, $1, $2, now()) ON CONFLICT (singleton) DO UPDATE"
        " SET dispatched_until_ms = excluded.dispatched_until_ms, holder = excluded.holder,"
        " updated_at = now()",
        now_ms, options_.holder_name);
    RecordSkipped(txn, skipped);
    txn.commit();
  }
  stats_.skipped.fetch_add(skipped);
  stats_.skipped_unrouted.fetch_add(unrouted);
  stats_.skipped_disconnected.fetch_add(disconnected);
  stats_.skipped_oversized.fetch_add(oversized);
  if (batches.empty()) return;
  int64_t max_lag = 0;
  for (const auto& d : due) {
    max_lag = std::max(max_lag, now_ms - d.due_ms);
    if (options_.dispatch_lag_seconds) {
      options_.dispatch_lag_seconds->Observe(static_cast<double>(now_ms - d.due_ms) / 1000.0);
    }
  }
  int64_t published = 0;
  for (size_t i = 0; i < batches.size(); ++i) {
    try {
      channel_.Publish(batches[i].first, batches[i].second);
      published += batches[i].second;
      stats_.batches.fetch_add(1);
    } catch (const std::exception& e) {
      // Progress is committed, so these slots will not be sent again (a slot goes out at most
      // once): count this tick's rest as skipped, recorded with the next dispatch, where
      // operators look for probes that did not happen.
      int64_t lost = 0;
      for (size_t j = i; j < batches.size(); ++j) lost += batches[j].second;
      pending_skipped_ += lost;
      log_.Error("dispatch_failed", {{"slots_lost", lost}, {"error", e.what()}});
      break;
    }
  }
  stats_.dispatched.fetch_add(published);
  stats_.tick_lag_ms.store(max_lag);
}

void Scheduler::CountLastSkips() {
  channel_.Settle(std::chrono::milliseconds(1000));
  const int64_t unrouted = channel_.TakeUnrouted();
  const int64_t skipped = pending_skipped_ + unrouted;
  pending_skipped_ = 0;
  if (skipped == 0) return;
  pqxx::work txn(*connection_);
  RecordSkipped(txn, skipped);
  txn.commit();
  stats_.skipped.fetch_add(skipped);
  stats_.skipped_unrouted.fetch_add(unrouted);
}

void Scheduler::Resign() {
  stats_.active.store(false);
  queue_.Clear();
  oversized_logged_.clear();
  paused_ = false;
  // Closing the session releases the advisory lock even if the unlock call cannot be made.
  connection_.reset();
  log_.Info("scheduler_inactive", {{"holder", options_.holder_name}});
}

}  // namespace lokahi::lokahid
