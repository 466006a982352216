// webhookworker: delivers the webhook outbox. Any number run side by side (NATS queue group
// "webhookworker"); Postgres leases keep them from sending one transition twice at once.
// Wiring only: the work happens in lib/webhook.

#include <pthread.h>

#include <algorithm>
#include <csignal>
#include <iostream>
#include <optional>
#include <random>
#include <thread>

#include "lib/config/env.h"
#include "lib/daemon/dependency_health.h"
#include "lib/daemon/open_files.h"
#include "lib/daemon/schema_setup.h"
#include "lib/daemon/stop_signals.h"
#include "lib/logging/logger.h"
#include "lib/metrics/ops_server.h"
#include "lib/nats/nats_client.h"
#include "lib/nats/subjects.h"
#include "lib/postgres/connection_pool.h"
#include "lib/store/pg_notifications.h"
#include "lib/store/pg_status_query.h"
#include "lib/version/version.h"
#include "lib/webhook/abandoned_notifier.h"
#include "lib/webhook/curl_multi_poster.h"
#include "lib/webhook/delivery_loop.h"
#include "lib/webhook/notification_loop.h"
#include "lib/webhook/pg_outbox.h"
#include "webhookworker/config.h"
#include "webhookworker/delivery_metrics.h"

namespace {

using lokahi::logging::Logger;

int Run(Logger& log) {
  lokahi::daemon::StopSignals stop_signals;
  lokahi::nats::Library nats_library;
  lokahi::webhook::CurlLibrary curl_library;
  lokahi::webhookworker::WebhookWorkerConfig config;
  try {
    config = lokahi::webhookworker::WebhookWorkerConfig::FromEnv(lokahi::config::Env::Process());
  } catch (const lokahi::config::ConfigError& e) {
    log.Error("bad_configuration", {{"error", e.what()}});
    return 2;
  }
  log.SetMinimumLevel(config.log_level);
  log.Info("config", {{"effective", config.Describe()}});
  try {
    lokahi::daemon::RequireOpenFiles(
        static_cast<uint64_t>(config.concurrency) + 64, lokahi::daemon::RaiseOpenFilesLimit(),
        "LOKAHI_WEBHOOK_CONCURRENCY=" + std::to_string(config.concurrency));
  } catch (const std::runtime_error& e) {
    log.Error("bad_configuration", {{"error", e.what()}});
    return 2;
  }
  lokahi::postgres::ConnectionPool pool(config.database_url,
                                        static_cast<size_t>(config.db_pool_size));
  lokahi::daemon::MigrateWithRetry(pool, log);
  lokahi::metrics::Registry registry;

  lokahi::webhook::PgOutbox outbox(pool, config.deadline, !config.ops_webhook_url.empty());
  lokahi::store::PgStatusQuery status_query(pool);
  const lokahi::webhook::ConnectPolicy egress =
      [&policy = config.egress_policy](const sockaddr& address) -> std::optional<std::string> {
    if (!policy.Denies(address)) return std::nullopt;
    return "address " + lokahi::probe::AddressText(address) + " denied by LOKAHI_EGRESS_DENY";
  };
  lokahi::webhook::CurlMultiPoster poster(egress);
  lokahi::webhook::Mt19937Random random(std::random_device{}());
  lokahi::webhookworker::DeliveryMetrics observer(registry);
  lokahi::webhook::DeliveryLoopOptions options;
  options.concurrency = config.concurrency;
  options.request_timeout = config.request_timeout;
  options.sweep_interval = config.sweep_interval;
  options.drain_timeout = std::min(config.request_timeout, std::chrono::milliseconds(10000));
  options.default_key = config.default_key;
  options.retry.cap = config.max_backoff;
  lokahi::webhook::DeliveryLoop loop(outbox, status_query, poster, random, log, observer, options);

  // The notifications outbox (push alerts and other notices), on a poster of its own so a burst of
  // check webhooks and a burst of alerts never wait on each other.
  lokahi::store::PgNotificationQueue notification_queue(pool, config.deadline);
  lokahi::webhook::CurlMultiPoster notification_poster(egress);
  lokahi::webhook::Mt19937Random notification_random(std::random_device{}());
  lokahi::webhook::NotificationLoopOptions notification_options;
  notification_options.concurrency = std::max(1, std::min(64, config.concurrency));
  notification_options.request_timeout = config.request_timeout;
  notification_options.sweep_interval = config.sweep_interval;
  notification_options.drain_timeout = options.drain_timeout;
  notification_options.retry = options.retry;
  notification_options.key = config.default_key;
  lokahi::webhookworker::NotificationMetrics notification_metrics(registry);
  lokahi::webhook::NotificationLoop notifications(notification_queue, notification_poster,
                                                  notification_random, log, notification_metrics,
                                                  notification_options);

  // Deliveries given up for good are told to the operator, when there is one.
  std::optional<lokahi::webhook::CurlMultiPoster> notice_poster;
  lokahi::webhook::Mt19937Random notice_random(std::random_device{}());
  std::optional<lokahi::webhook::AbandonedNotifier> notifier;
  if (!config.ops_webhook_url.empty()) {
    notice_poster.emplace(egress);
    lokahi::webhook::AbandonedNotifierOptions notice_options;
    notice_options.url = config.ops_webhook_url;
    notice_options.request_timeout = config.request_timeout;
    notice_options.sweep_interval = config.sweep_interval;
    notice_options.retry = options.retry;
    notice_options.key = config.default_key;
    notifier.emplace(outbox, *notice_poster, notice_random, log, notice_options);
  }

  lokahi::nats::Connection nats(
      {config.nats_url, "webhookworker " + config.instance_name, true, &log});
  lokahi::daemon::RegisterConnectionMetrics(registry, pool, nats);
  lokahi::metrics::OpsServer ops(config.metrics_address, config.metrics_port, registry,
                                 lokahi::metrics::AllOf({lokahi::daemon::PostgresReadiness(pool),
                                                         lokahi::daemon::NatsReadiness(nats)}),
                                 log);
  auto nudges = nats.Subscribe(lokahi::nats::Subjects::kWebhookEgress,
                               lokahi::nats::QueueGroups::kWebhookWorkers,
                               [&loop, &notifications](lokahi::nats::Message&&) {
                                 loop.Nudge();
                                 notifications.Nudge();
                               });

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
  std::thread notifications_thread([&] {
    try {
      notifications.Run();
    } catch (const std::exception& e) {
      log.Error("notification_loop_failed", {{"error", e.what()}});
      loop_failed.store(true);
      pthread_kill(main_thread, SIGTERM);
    }
  });
  std::thread notifier_thread;
  if (notifier) notifier_thread = std::thread([&] { notifier->Run(); });
  log.Info("started", {{"concurrency", config.concurrency}});

  const int received = stop_signals.Wait();
  log.Info("stopping", {{"signal", received}});
  nudges.reset();  // no new nudges; the loop drains what it holds
  loop.RequestStop();
  notifications.RequestStop();
  delivery_thread.join();
  notifications_thread.join();
  if (notifier) {
    notifier->RequestStop();
    notifier_thread.join();
  }
  log.Info("stopped");
  return loop_failed.load() ? 1 : 0;
}

}  // namespace

constexpr const char* kHelp =
    "Delivers the webhook outbox: every state change of a check is POSTed to its webhook_url,\n"
    "signed, retried with backoff until acknowledged. Run as many as needed.\n\n"
    "Configuration is environment variables: DATABASE_URL, NATS_URL and the LOKAHI_* settings in\n"
    "the README's table.";

int main(int argc, char** argv) {
  if (const auto exit_code = lokahi::version::AnswerCommandLine(argc, argv, "webhookworker", kHelp,
                                                                std::cout, std::cerr)) {
    return *exit_code;
  }
  Logger log("webhookworker", std::cerr);
  try {
    return Run(log);
  } catch (const std::exception& e) {
    log.Error("fatal", {{"error", e.what()}});
    return 1;
  }
}
