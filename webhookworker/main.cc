// webhookworker: delivers the webhook outbox. Any number run side by side (NATS queue group
// "webhookworker"); Postgres leases keep them from sending one transition twice at once.
// Wiring only: the work happens in lib/webhook.

#include <pthread.h>

#include <csignal>
#include <iostream>
#include <random>
#include <thread>

#include "lib/config/env.h"
#include "lib/logging/logger.h"
#include "lib/nats/nats_client.h"
#include "lib/nats/subjects.h"
#include "lib/postgres/connection_pool.h"
#include "lib/postgres/migrator.h"
#include "lib/store/pg_status_query.h"
#include "lib/store/schema.h"
#include "lib/webhook/curl_multi_poster.h"
#include "lib/webhook/delivery_loop.h"
#include "lib/webhook/pg_outbox.h"
#include "webhookworker/config.h"

namespace {

using lokahi::logging::Logger;

// Connecting is retried briefly so a stack whose parts start together comes up in any order.
void MigrateWithRetry(lokahi::postgres::ConnectionPool& pool, Logger& log) {
  for (int attempt = 1;; ++attempt) {
    try {
      auto connection = pool.Acquire();
      const auto applied =
          lokahi::postgres::Migrate(*connection, lokahi::store::SchemaMigrations());
      log.Info("schema_ready", {{"migrations_applied", static_cast<int>(applied.size())}});
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
  lokahi::webhook::CurlLibrary curl_library;
  Logger log("webhookworker", std::cerr);
  lokahi::webhookworker::WebhookWorkerConfig config;
  try {
    config = lokahi::webhookworker::WebhookWorkerConfig::FromEnv(lokahi::config::Env::Process());
  } catch (const lokahi::config::ConfigError& e) {
    std::cerr << "webhookworker: bad configuration: " << e.what() << "\n";
    return 2;
  }
  log.Info("config", {{"effective", config.Describe()}});
  if (config.metrics_port != 0) {
    // Seam: a metrics listener plugs in as a webhook::DeliveryObserver below.
    log.Warn("metrics_not_built", {{"port", config.metrics_port},
                                   {"detail", "this build serves no metrics; setting ignored"}});
  }

  // Signals are taken synchronously by sigwait below; block them before any thread starts.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  lokahi::postgres::ConnectionPool pool(config.database_url,
                                        static_cast<size_t>(config.db_pool_size));
  MigrateWithRetry(pool, log);

  lokahi::webhook::PgOutbox outbox(pool, config.deadline);
  lokahi::store::PgStatusQuery status_query(pool);
  lokahi::webhook::CurlMultiPoster poster;
  lokahi::webhook::Mt19937Random random(std::random_device{}());
  lokahi::webhook::DeliveryObserver observer;
  lokahi::webhook::DeliveryLoopOptions options;
  options.concurrency = config.concurrency;
  options.request_timeout = config.request_timeout;
  options.sweep_interval = config.sweep_interval;
  options.drain_timeout = std::min(config.request_timeout, std::chrono::milliseconds(10000));
  options.default_key = config.default_key;
  lokahi::webhook::DeliveryLoop loop(outbox, status_query, poster, random, log, observer, options);

  lokahi::nats::Connection nats({config.nats_url, "webhookworker " + config.instance_name, true});
  auto nudges = nats.Subscribe(lokahi::nats::Subjects::kWebhookEgress,
                               lokahi::nats::QueueGroups::kWebhookWorkers,
                               [&loop](lokahi::nats::Message&&) { loop.Nudge(); });

  const pthread_t main_thread = pthread_self();
  std::atomic<bool> loop_failed{false};
  std::thread delivery_thread([&] {
    try {
      loop.Run();
    } catch (const std::exception& e) {
      log.Error("delivery_loop_failed", {{"error", e.what()}});
      loop_failed.store(true);
      pthread_kill(main_thread, SIGTERM);
    }
  });
  log.Info("started", {{"concurrency", config.concurrency}});

  int received = 0;
  sigwait(&stop_signals, &received);
  log.Info("stopping", {{"signal", received}});
  nudges.reset();  // no new nudges; the loop drains what it holds
  loop.RequestStop();
  delivery_thread.join();
  log.Info("stopped");
  return loop_failed.load() ? 1 : 0;
}

}  // namespace

int main() {
  try {
    return Run();
  } catch (const std::exception& e) {
    std::cerr << "webhookworker: fatal: " << e.what() << "\n";
    return 1;
  }
}
