// healthworker: probes due checks from NATS check.run (queue group "healthworker") and records
// results, states and transitions in Postgres. Wiring only.

#include <csignal>
#include <iostream>
#include <thread>

#include "healthworker/config.h"
#include "healthworker/probe_dispatcher.h"
#include "healthworker/result_batcher.h"
#include "internal.pb.h"
#include "lib/nats/nats_client.h"
#include "lib/nats/subjects.h"
#include "lib/postgres/connection_pool.h"
#include "lib/postgres/migrator.h"
#include "lib/store/pg_result_writer.h"
#include "lib/store/schema.h"

namespace {

using lokahi::logging::Logger;
namespace subjects = lokahi::nats;

void MigrateWithRetry(lokahi::postgres::ConnectionPool& pool, Logger& log) {
  for (int attempt = 1;; ++attempt) {
    try {
      auto connection = pool.Acquire();
      lokahi::postgres::Migrate(*connection, lokahi::store::SchemaMigrations());
      return;
    } catch (const pqxx::broken_connection& e) {
      if (attempt >= 30) throw;
      log.Warn("database_unreachable", {{"attempt", attempt}, {"error", e.what()}});
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  }
}

int Run() {
  lokahi::nats::Library nats_library;
  Logger log("healthworker", std::cerr);
  lokahi::healthworker::HealthworkerConfig config;
  try {
    config = lokahi::healthworker::HealthworkerConfig::FromEnv(lokahi::config::Env::Process());
  } catch (const lokahi::config::ConfigError& e) {
    std::cerr << "healthworker: bad configuration: " << e.what() << "\n";
    return 2;
  }
  log.Info("config", {{"effective", config.Describe()}});

  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  lokahi::postgres::ConnectionPool pool(config.database_url, config.db_pool_size);
  MigrateWithRetry(pool, log);
  lokahi::store::PgResultWriter writer(pool);

  lokahi::nats::Connection nats({config.nats_url, "healthworker"});

  lokahi::healthworker::ResultBatcher batcher(
      writer,
      {static_cast<size_t>(config.batch_max_rows),
       std::chrono::milliseconds(config.batch_max_delay_ms)},
      [&](const std::vector<lokahi::store::TransitionRecord>& transitions) {
        // After commit: a nudge only. A lost nudge delays delivery until the next sweep.
        lokahi::internal::EgressNudge nudge;
        for (const auto& t : transitions) nudge.add_transition_ids(t.id);
        try {
          nats.Publish(subjects::Subjects::kWebhookEgress, nudge.SerializeAsString());
        } catch (const std::exception& e) {
          log.Warn("nudge_failed", {{"error", e.what()}});
        }
      },
      log);

  lokahi::healthworker::DispatcherOptions options;
  options.prober.max_in_flight = static_cast<size_t>(config.max_in_flight);
  options.prober.egress_deny_cidrs = config.egress_deny;
  options.prober.proxy = config.proxy;
  options.max_queued = static_cast<size_t>(config.max_queued);
  std::unique_ptr<lokahi::healthworker::ProbeDispatcher> dispatcher;
  try {
    dispatcher = std::make_unique<lokahi::healthworker::ProbeDispatcher>(
        options, batcher,
        [&](const std::string& subject, const std::string& payload) {
          nats.Publish(subject, payload);
        },
        [] { return std::chrono::system_clock::now(); }, log);
  } catch (const std::invalid_argument& e) {
    std::cerr << "healthworker: bad configuration: LOKAHI_EGRESS_DENY: " << e.what() << "\n";
    return 2;
  }

  auto runs = nats.Subscribe(
      subjects::Subjects::kCheckRun, subjects::QueueGroups::kHealthworkers,
      [&](lokahi::nats::Message&& m) { dispatcher->OnRunBatch(m.data); }, 4096);
  auto run_now = nats.Subscribe(
      subjects::Subjects::kCheckRunNow, subjects::QueueGroups::kHealthworkers,
      [&](lokahi::nats::Message&& m) { dispatcher->OnRunNow(m.data, m.reply); }, 4096);
  log.Info("started", {{"subject", std::string(subjects::Subjects::kCheckRun)}});

  int received = 0;
  sigwait(&stop_signals, &received);
  log.Info("stopping", {{"signal", received}});
  // Stop taking work, finish what is in flight, flush every result, then leave.
  runs->Drain(std::chrono::seconds(5));
  run_now->Drain(std::chrono::seconds(5));
  dispatcher->Stop(std::chrono::milliseconds(config.stop_grace_ms));
  batcher.Stop(std::chrono::seconds(30));
  log.Info("stopped", {{"results_written", batcher.stats().written.load()}});
  return 0;
}

}  // namespace

int main() {
  try {
    return Run();
  } catch (const std::exception& e) {
    std::cerr << "healthworker: fatal: " << e.what() << "\n";
    return 1;
  }
}
