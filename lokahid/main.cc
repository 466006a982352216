// lokahid: the API server and (when it holds the scheduler lock) the scheduler.
// Wiring only.

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/server_posix.h>
#include <unistd.h>

#include <iostream>
#include <optional>

#include "internal.pb.h"
#include "lib/config/env.h"
#include "lib/daemon/dependency_health.h"
#include "lib/daemon/schema_setup.h"
#include "lib/daemon/stop_signals.h"
#include "lib/http/content_encoding.h"
#include "lib/http/server.h"
#include "lib/logging/logger.h"
#include "lib/metrics/ops_server.h"
#include "lib/nats/nats_client.h"
#include "lib/nats/subjects.h"
#include "lib/postgres/connection_pool.h"
#include "lib/store/pg_alert_store.h"
#include "lib/store/pg_check_store.h"
#include "lib/store/pg_notifications.h"
#include "lib/store/pg_status_query.h"
#include "lib/version/version.h"
#include "lokahid/alert_raiser.h"
#include "lokahid/alerts_convert.h"
#include "lokahid/config.h"
#include "lokahid/console/console_handler.h"
#include "lokahid/status_page/status_page_handler.h"
#include "lokahid/front/connection_registry.h"
#include "lokahid/front/port_acceptor.h"
#include "lokahid/front/tls_relay.h"
#include "lokahid/grpc/alerts_grpc_service.h"
#include "lokahid/grpc/call_metrics_interceptor.h"
#include "lokahid/grpc/checks_grpc_service.h"
#include "lokahid/grpc/maintenance_grpc_service.h"
#include "lokahid/grpc_health.h"
#include "lokahid/http/events_handler.h"
#include "lokahid/http/http_front.h"
#include "lokahid/http/twirp_handler.h"
#include "lokahid/list_counts_keeper.h"
#include "lokahid/lokahid_metrics.h"
#include "lokahid/maintenance_window_keeper.h"
#include "lokahid/nats_batch_channel.h"
#include "lokahid/pipeline_queries.h"
#include "lokahid/run_now_client.h"
#include "lokahid/scheduler.h"
#include "lokahid/service/checks_api.h"
#include "lokahid/service/maintenance_api.h"

namespace {

using lokahi::logging::Logger;

constexpr int kHttpHandlerThreads = 16;

int Run(Logger& log) {
  lokahi::daemon::StopSignals stop_signals;
  lokahi::nats::Library nats_library;
  lokahi::lokahid::LokahidConfig config;
  try {
    config = lokahi::lokahid::LokahidConfig::FromEnv(lokahi::config::Env::Process());
  } catch (const lokahi::config::ConfigError& e) {
    log.Error("bad_configuration", {{"error", e.what()}});
    return 2;
  }
  log.SetMinimumLevel(config.log_level);
  log.Info("config", {{"effective", config.Describe()}});
  lokahi::lokahid::SslContext tls_context;
  if (config.tls()) {
    try {
      tls_context =
          lokahi::lokahid::MakeServerTlsContext(config.tls_certificate_path, config.tls_key_path);
    } catch (const std::exception& e) {
      log.Error("bad_configuration", {{"error", e.what()}});
      return 2;
    }
  }

  lokahi::postgres::ConnectionPool pool(config.database_url, config.db_pool_size);
  lokahi::metrics::Registry registry;
  lokahi::daemon::MigrateWithRetry(pool, log);

  lokahi::nats::Connection nats({config.nats_url, "lokahid " + config.instance_name, true, &log});

  lokahi::store::PgCheckStore store(pool);
  lokahi::store::PgStatusQuery status(pool);
  lokahi::lokahid::PgPipelineQueries pipeline(pool);
  lokahi::lokahid::RunNowClient run_now(nats);
  lokahi::lokahid::ConnectionRegistry connections;
  lokahi::auth::FailedAuthThrottle throttle({.max_failures = config.auth_max_failures},
                                            [] { return std::chrono::steady_clock::now(); });
  lokahi::lokahid::ChecksApi api({store, status, pipeline, run_now, throttle},
                                 {config.credentials, {config.min_every_seconds}}, log);
  lokahi::lokahid::ChecksGrpcService service(api, connections);

  // Push alerts: notifications are queued with each decision; a nudge after the commit tells a
  // webhookworker to send them now (a lost nudge delays them to its next sweep).
  const auto clock = [] { return std::chrono::system_clock::now(); };
  const auto nudge_webhookworkers = [&nats, &log] {
    try {
      nats.Publish(lokahi::nats::Subjects::kWebhookEgress,
                   lokahi::internal::EgressNudge().SerializeAsString());
    } catch (const std::exception& e) {
      log.Warn("nudge_failed", {{"error", e.what()}});
    }
  };
  lokahi::store::PgAlertStore alert_store(
      pool, lokahi::lokahid::MakeAlertNotifier(config.alert_webhook_url));
  lokahi::store::PgNotificationQueue notification_queue(pool, std::chrono::hours(24));
  const lokahi::lokahid::Authenticator authenticator(config.credentials, config.submit_credentials,
                                                     throttle);
  const std::chrono::seconds alert_repeat(config.alert_repeat_seconds);
  lokahi::lokahid::AlertsApi alerts_api({alert_store, authenticator, nudge_webhookworkers, clock},
                                        {alert_repeat}, log);
  lokahi::lokahid::AlertsGrpcService alerts_service(alerts_api, connections);
  lokahi::lokahid::EventsHandler events(alerts_api);

  lokahi::lokahid::TwirpHandler twirp(api, &alerts_api);
  lokahi::store::PgMaintenanceStore maintenance_store(pool);
  lokahi::lokahid::MaintenanceApi maintenance_api(maintenance_store, authenticator, log);
  lokahi::lokahid::MaintenanceGrpcService maintenance_service(maintenance_api, connections);
  twirp.AddMaintenance(maintenance_api);
  const auto trusted_proxies = lokahi::lokahid::TrustedProxies::FromCidrs(config.trusted_proxies);
  lokahi::lokahid::PgConsoleQueries console_queries(pool);
  lokahi::lokahid::PgConsoleSessions console_sessions(pool, std::chrono::hours(12));
  lokahi::lokahid::ConsoleHandler console(api, alerts_api, console_queries, console_sessions,
                                          config.credentials,
                                          [] { return std::chrono::system_clock::now(); });
  lokahi::lokahid::PgStatusPageQueries status_page_queries(pool);
  lokahi::lokahid::StatusPageHandler status_page(
      status_page_queries, [] { return std::chrono::system_clock::now(); },
      std::chrono::seconds(5));
  // Every API call on either transport, counted and timed alike on /metrics.
  lokahi::lokahid::ApiCallMetrics api_metrics(registry);
  lokahi::lokahid::HttpFront http_front(
      twirp, trusted_proxies,
      [&console, &status_page](const lokahi::http::Request& request,
                               const std::string& client_address) {
        auto page = console.Handle(request, client_address);
        if (!page) return status_page.Handle(request);  // compressed and kept as it builds
        lokahi::http::CompressForClient(request, *page);
        return page;
      },
      &api_metrics, &events);

  lokahi::lokahid::SchedulerOptions scheduler_options;
  scheduler_options.database_url = config.database_url;
  scheduler_options.holder_name = config.instance_name;
  scheduler_options.result_retention_days = config.result_retention_days;
  scheduler_options.dispatch_lag_seconds = &lokahi::lokahid::RegisterDispatchLag(registry);
  lokahi::lokahid::NatsBatchChannel check_run(nats);
  lokahi::lokahid::Scheduler scheduler(
      scheduler_options, check_run, [] { return std::chrono::system_clock::now(); }, log);

  lokahi::lokahid::AlertRaiser alert_raiser(
      {alert_store, notification_queue, [&scheduler] { return scheduler.stats().active.load(); },
       nudge_webhookworkers, clock},
      {alert_repeat, config.alert_retention_days}, log);

  lokahi::lokahid::ListCountsKeeper list_counts(
      pool, [&scheduler] { return scheduler.stats().active.load(); }, {}, log);
  lokahi::lokahid::MaintenanceWindowKeeper maintenance_windows(
      maintenance_store, [&scheduler] { return scheduler.stats().active.load(); },
      std::chrono::seconds(2), log);

  lokahi::daemon::RegisterConnectionMetrics(registry, pool, nats);
  lokahi::lokahid::RegisterSchedulerReadings(registry, scheduler);
  const auto readiness = lokahi::metrics::AllOf(
      {lokahi::daemon::PostgresReadiness(pool), lokahi::daemon::NatsReadiness(nats)});
  lokahi::metrics::OpsServer ops(config.listen.metrics, config.metrics_port, registry, readiness,
                                 log);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  // The port is ours, not gRPC's: the acceptor hands gRPC the HTTP/2 connections by descriptor
  // and the HTTP/1.1 ones to lib/http's server (the Twirp routes).
  const int listen_fd = lokahi::lokahid::ListenOnPort(config.listen.service, config.port);
  grpc::ServerBuilder builder;
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(
      std::make_unique<lokahi::lokahid::CallMetricsInterceptorFactory>(api_metrics));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  builder.RegisterService(&service);
  builder.RegisterService(&alerts_service);
  builder.RegisterService(&maintenance_service);
  auto server = builder.BuildAndStart();
  if (!server) {
    close(listen_fd);
    log.Error("grpc_start_failed", {{"port", config.port}});
    return 1;
  }
  lokahi::http::ServerLimits http_limits;
  http_limits.max_body_bytes = config.http_max_body_bytes;
  http_limits.path_body_limits.emplace_back(std::string(lokahi::lokahid::kEventsPath),
                                            config.events_max_body_bytes);
  http_limits.max_connections = static_cast<size_t>(config.max_connections);
  // Run and RunLocal wait for a probe (up to a check's timeout): enough threads that a few of
  // them never hold up every other Twirp call.
  http_limits.handler_threads = kHttpHandlerThreads;
  lokahi::http::Server http_server(
      [&http_front](const lokahi::http::Request& request) { return http_front.Handle(request); },
      http_limits, log);
  lokahi::lokahid::PortAcceptor::Handoffs handoffs{
      [&server](int fd, const lokahi::lokahid::PeerAddress&) {
        grpc::AddInsecureChannelFromFd(server.get(), fd);
      },
      [&http_server](int fd, const lokahi::lokahid::PeerAddress& peer) {
        http_server.Adopt(fd, peer.address, static_cast<uint16_t>(peer.port));
      },
      {}};
  // With LOKAHI_TLS_CERT/KEY the port speaks TLS only: the relay terminates it and hands the
  // plaintext to the same two sides by ALPN.
  std::optional<lokahi::lokahid::TlsRelay> tls_relay;
  if (tls_context) {
    tls_relay.emplace(std::move(tls_context), lokahi::lokahid::TlsRelayOptions{}, connections,
                      handoffs, log);
    handoffs.tls = [&tls_relay](int fd, const lokahi::lokahid::PeerAddress& peer) {
      tls_relay->Adopt(fd, peer);
    };
  }
  lokahi::lokahid::PortAcceptor acceptor(listen_fd, {static_cast<size_t>(config.max_connections)},
                                         connections, handoffs, log);
  log.Info("listening", {{"address", lokahi::config::DescribeListenAddress(config.listen.service)},
                         {"port", acceptor.port()},
                         {"tls", config.tls() ? "on" : "off"}});
  std::optional<lokahi::lokahid::GrpcHealthFollower> grpc_health;
  if (auto* health = server->GetHealthCheckService()) {
    grpc_health.emplace(*health, readiness, std::chrono::seconds(1), log);
  }
  scheduler.Start();
  alert_raiser.Start();

  const int received = stop_signals.Wait();
  log.Info("stopping", {{"signal", received}});
  acceptor.Stop();
  // Balancers asking the health service move new calls elsewhere while this one
  // drains.
  if (grpc_health) {
    grpc_health->Stop();
    server->GetHealthCheckService()->SetServingStatus(false);
  }
  // Hand the scheduler lock over first, so another replica resumes dispatch
  // without a gap.
  alert_raiser.Stop();
  scheduler.Stop();
  grpc_health.reset();
  http_server.Stop();
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  log.Info("stopped");
  return 0;
}

}  // namespace

constexpr const char* kHelp =
    "The lokahi-cpp API server (gRPC on PORT) and, on the replica holding the scheduler lock, the\n"
    "scheduler that sends due checks to the healthworkers over NATS.\n\n"
    "Configuration is environment variables: DATABASE_URL, NATS_URL, USERPASS, PORT and the\n"
    "LOKAHI_* settings in the README's table.";

int main(int argc, char** argv) {
  if (const auto exit_code =
          lokahi::version::AnswerCommandLine(argc, argv, "lokahid", kHelp, std::cout, std::cerr)) {
    return *exit_code;
  }
  Logger log("lokahid", std::cerr);
  try {
    return Run(log);
  } catch (const std::exception& e) {
    log.Error("fatal", {{"error", e.what()}});
    return 1;
  }
}
