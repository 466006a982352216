// healthworker: probes due checks from NATS check.run (queue group "healthworker") and records
// results, states and transitions in Postgres. Wiring only.

#include <iostream>
#include <thread>

#include "healthworker/config.h"
#include "healthworker/confirmer.h"
#include "healthworker/probe_dispatcher.h"
#include "healthworker/result_batcher.h"
#include "healthworker/vantage_monitor.h"
#include "healthworker/vantage_notice.h"
#include "healthworker/work_subscriptions.h"
#include "healthworker/worker_metrics.h"
#include "internal.pb.h"
#include "lib/daemon/dependency_health.h"
#include "lib/daemon/open_files.h"
#include "lib/daemon/schema_setup.h"
#include "lib/daemon/stop_signals.h"
#include "lib/metrics/ops_server.h"
#include "lib/nats/nats_client.h"
#include "lib/nats/subjects.h"
#include "lib/postgres/connection_pool.h"
#include "lib/store/pg_result_writer.h"
#include "lib/store/pg_vantage_events.h"
#include "lib/version/version.h"

namespace {

using lokahi::logging::Logger;
using lokahi::nats::QueueGroups;
using lokahi::nats::Subjects;

int Run(Logger& log) {
  lokahi::daemon::StopSignals stop_signals;
  lokahi::nats::Library nats_library;
  lokahi::healthworker::HealthworkerConfig config;
  try {
    config = lokahi::healthworker::HealthworkerConfig::FromEnv(lokahi::config::Env::Process());
  } catch (const lokahi::config::ConfigError& e) {
    log.Error("bad_configuration", {{"error", e.what()}});
    return 2;
  }
  log.SetMinimumLevel(config.log_level);
  log.Info("config", {{"effective", config.Describe()}});
  try {
    // One socket per probe in flight, plus Postgres, NATS, the ops server and a margin.
    lokahi::daemon::RequireOpenFiles(
        static_cast<uint64_t>(config.max_in_flight) + 64, lokahi::daemon::RaiseOpenFilesLimit(),
        "LOKAHI_MAX_IN_FLIGHT=" + std::to_string(config.max_in_flight));
  } catch (const std::runtime_error& e) {
    log.Error("bad_configuration", {{"error", e.what()}});
    return 2;
  }

  lokahi::metrics::Registry registry;
  const auto histograms = lokahi::healthworker::RegisterWorkerHistograms(registry);
  lokahi::postgres::ConnectionPool pool(config.database_url, config.db_pool_size);
  lokahi::daemon::MigrateWithRetry(pool, log);
  lokahi::store::PgResultWriter writer(pool);
  lokahi::nats::Connection nats({config.nats_url, "healthworker", true, &log});
  lokahi::daemon::RegisterConnectionMetrics(registry, pool, nats);

  lokahi::healthworker::BatcherOptions batcher_options;
  batcher_options.max_rows = static_cast<size_t>(config.batch_max_rows);
  batcher_options.max_delay = std::chrono::milliseconds(config.batch_max_delay_ms);
  batcher_options.batch_rows = histograms.batch_rows;
  batcher_options.write_seconds = histograms.batch_write_seconds;
  const auto nudge_egress = [&](const std::vector<lokahi::store::TransitionRecord>& transitions) {
    // After commit: a nudge only. A lost nudge delays delivery until the next sweep.
    lokahi::internal::EgressNudge nudge;
    for (const auto& t : transitions) nudge.add_transition_ids(t.id);
    try {
      nats.Publish(Subjects::kWebhookEgress, nudge.SerializeAsString());
    } catch (const std::exception& e) {
      log.Warn("nudge_failed", {{"error", e.what()}});
    }
  };
  // Set once the dispatcher exists, before any work is taken.
  std::atomic<lokahi::healthworker::Confirmer*> confirmer{nullptr};
  batcher_options.on_confirmations = [&](std::vector<lokahi::store::ConfirmationRequest>&& held) {
    if (auto* c = confirmer.load()) c->Request(std::move(held));
  };
  lokahi::healthworker::ResultBatcher batcher(writer, batcher_options, nudge_egress, log);

  // Scheduled work arrives through these; the worker leaves them while its own path is impaired.
  std::unique_ptr<lokahi::healthworker::ProbeDispatcher> dispatcher;
  lokahi::healthworker::WorkSubscriptions subscriptions(
      nats, [&](const std::string& subject, const std::string& payload) {
        if (dispatcher) dispatcher->OnRunBatch(payload);
        (void)subject;
      });
  lokahi::store::PgVantageEvents vantage_events(pool);
  lokahi::healthworker::VantageMonitorOptions vantage_options;
  vantage_options.canary_urls = config.canary_urls;
  vantage_options.interval = std::chrono::milliseconds(config.canary_interval_ms);
  vantage_options.canary_timeout_ms = config.canary_timeout_ms;
  vantage_options.judge.spike_window = std::chrono::seconds(config.spike_window_seconds);
  vantage_options.judge.baseline_window = std::chrono::seconds(config.baseline_window_seconds);
  vantage_options.judge.spike_min_hosts = config.spike_min_hosts;
  vantage_options.judge.recover_rounds = config.recover_rounds;
  vantage_options.prober.egress_deny_cidrs = config.egress_deny;
  vantage_options.prober.proxy = config.proxy;
  std::unique_ptr<lokahi::healthworker::VantageMonitor> vantage;
  try {
    vantage = std::make_unique<lokahi::healthworker::VantageMonitor>(
        vantage_options,
        [&](std::vector<lokahi::store::ProbeRecord>&& records) { batcher.Add(std::move(records)); },
        [&](lokahi::healthworker::Vantage now, const std::string& reason) {
          const bool impaired = now == lokahi::healthworker::Vantage::kImpaired;
          if (impaired) {
            log.Warn("vantage_impaired", {{"reason", reason}, {"worker", config.instance_name}});
            subscriptions.Leave(std::chrono::seconds(5));
          } else {
            log.Info("vantage_recovered", {{"reason", reason}, {"worker", config.instance_name}});
            subscriptions.Join();
          }
          lokahi::store::VantageEvent event{config.instance_name, "default",
                                            impaired ? lokahi::store::VantageEventKind::kImpaired
                                                     : lokahi::store::VantageEventKind::kRecovered,
                                            reason};
          // The notice must not be lost to a passing database failure; the monitor's thread
          // can wait a little.
          for (int attempt = 1;; ++attempt) {
            try {
              vantage_events.Record(
                  event, lokahi::healthworker::VantageNotice(event, config.ops_webhook_url,
                                                             std::chrono::system_clock::now()));
              break;
            } catch (const std::exception& e) {
              log.Warn("vantage_event_failed", {{"error", e.what()}, {"attempt", attempt}});
              if (attempt == 5) break;
              std::this_thread::sleep_for(std::chrono::seconds(1));
            }
          }
        },
        log);
  } catch (const std::invalid_argument& e) {
    std::cerr << "healthworker: bad configuration: LOKAHI_EGRESS_DENY: " << e.what() << "\n";
    return 2;
  }

  lokahi::healthworker::DispatcherOptions options;
  options.vantage = vantage.get();
  options.prober.max_in_flight = static_cast<size_t>(config.max_in_flight);
  options.prober.egress_deny_cidrs = config.egress_deny;
  options.prober.proxy = config.proxy;
  options.prober.ca_bundle_path = config.ca_bundle;
  options.prober.tls_resume = config.tls_resume;
  options.prober.tls_full_handshake_every = std::chrono::minutes(config.tls_full_handshake_minutes);
  options.max_queued = static_cast<size_t>(config.max_queued);
  options.max_start_lag = std::chrono::milliseconds(config.max_start_lag_ms);
  options.prober.newest_first_after = std::chrono::milliseconds(config.newest_first_after_ms);
  options.probe_latency_seconds = histograms.probe_latency_seconds;
  options.schedule_lag_seconds = histograms.schedule_lag_seconds;
  try {
    dispatcher = std::make_unique<lokahi::healthworker::ProbeDispatcher>(
        options, batcher,
        [&](const std::string& subject, const std::string& payload) {
          nats.Publish(subject, payload);
        },
        [] { return std::chrono::system_clock::now(); }, log);
  } catch (const std::invalid_argument& e) {
    log.Error("bad_configuration", {{"error", std::string("LOKAHI_EGRESS_DENY: ") + e.what()}});
    return 2;
  }
  lokahi::healthworker::RegisterWorkerReadings(registry, *dispatcher, batcher);
  lokahi::healthworker::RegisterVantageReadings(registry, *vantage, *dispatcher);
  lokahi::healthworker::Confirmer confirmations(nats, *dispatcher, vantage.get(), writer,
                                                nudge_egress, {config.instance_name}, log);
  confirmer.store(&confirmations);
  lokahi::healthworker::RegisterConfirmerReadings(registry, confirmations);
  lokahi::metrics::OpsServer ops(
      config.metrics_address, config.metrics_port, registry,
      lokahi::metrics::AllOf({lokahi::daemon::PostgresReadiness(pool),
                              lokahi::daemon::NatsReadiness(nats),
                              lokahi::healthworker::WriteBacklogReadiness(
                                  batcher, std::chrono::seconds(config.max_write_backlog_seconds)),
                              lokahi::healthworker::VantageReadiness(*vantage)}),
      log);

  subscriptions.Join();
  if (vantage->Impaired()) subscriptions.Leave(std::chrono::seconds(5));
  auto run_now = nats.Subscribe(
      Subjects::kCheckRunNow, QueueGroups::kHealthworkers,
      [&](lokahi::nats::Message&& m) { dispatcher->OnRunNow(m.data, m.reply); }, 4096);
  log.Info("started",
           {{"subject", std::string(Subjects::kCheckRun)}, {"metrics_port", config.metrics_port}});

  const int received = stop_signals.Wait();
  log.Info("stopping", {{"signal", received}});
  // Stop taking work, finish what is in flight, flush every result, then leave.
  subscriptions.Leave(std::chrono::seconds(5));
  run_now->Drain(std::chrono::seconds(5));
  confirmations.Stop();
  dispatcher->Stop(std::chrono::milliseconds(config.stop_grace_ms));
  vantage->Stop();
  batcher.Stop(std::chrono::seconds(30));
  log.Info("stopped", {{"results_written", batcher.stats().written.load()}});
  return 0;
}

}  // namespace

constexpr const char* kHelp =
    "Probes the checks lokahid schedules (NATS check.run, queue group \"healthworker\") with\n"
    "libcurl and records results, states and transitions in Postgres. Run as many as needed.\n\n"
    "Configuration is environment variables: DATABASE_URL, NATS_URL and the LOKAHI_* settings in\n"
    "the README's table.";

int main(int argc, char** argv) {
  if (const auto exit_code = lokahi::version::AnswerCommandLine(argc, argv, "healthworker", kHelp,
                                                                std::cout, std::cerr)) {
    return *exit_code;
  }
  Logger log("healthworker", std::cerr);
  try {
    return Run(log);
  } catch (const std::exception& e) {
    log.Error("fatal", {{"error", e.what()}});
    return 1;
  }
}
