// lokahid: the API server and (when it holds the scheduler lock) the scheduler. Wiring only.

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <csignal>
#include <iostream>
#include <thread>

#include "lib/config/env.h"
#include "lib/logging/logger.h"
#include "lib/nats/nats_client.h"
#include "lib/postgres/connection_pool.h"
#include "lib/postgres/migrator.h"
#include "lib/store/pg_check_store.h"
#include "lib/store/schema.h"
#include "lokahid/checks_service.h"
#include "lokahid/config.h"
#include "lokahid/pipeline_queries.h"
#include "lokahid/run_now_client.h"
#include "lokahid/scheduler.h"
#include "lib/nats/subjects.h"
#include "lib/store/pg_status_query.h"

namespace {

using lokahi::logging::Logger;

// Connecting is retried briefly so a stack whose parts start together comes up in any order.
void MigrateWithRetry(lokahi::postgres::ConnectionPool& pool, Logger& log) {
  for (int attempt = 1;; ++attempt) {
    try {
      auto connection = pool.Acquire();
      const auto applied = lokahi::postgres::Migrate(*connection, lokahi::store::SchemaMigrations());
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
  Logger log("lokahid", std::cerr);
  lokahi::lokahid::LokahidConfig config;
  try {
    config = lokahi::lokahid::LokahidConfig::FromEnv(lokahi::config::Env::Process());
  } catch (const lokahi::config::ConfigError& e) {
    std::cerr << "lokahid: bad configuration: " << e.what() << "\n";
    return 2;
  }
  log.Info("config", {{"effective", config.Describe()}});

  // Signals are taken synchronously by sigwait below; block them before any thread starts.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  lokahi::postgres::ConnectionPool pool(config.database_url, config.db_pool_size);
  MigrateWithRetry(pool, log);

  lokahi::nats::Connection nats({config.nats_url, "lokahid " + config.instance_name});

  lokahi::store::PgCheckStore store(pool);
  lokahi::store::PgStatusQuery status(pool);
  lokahi::lokahid::PgPipelineQueries pipeline(pool);
  lokahi::lokahid::RunNowClient run_now(nats);
  lokahi::lokahid::ChecksService service({store, status, pipeline, run_now},
                                         {config.credentials, {config.min_every_seconds}}, log);

  lokahi::lokahid::SchedulerOptions scheduler_options;
  scheduler_options.database_url = config.database_url;
  scheduler_options.holder_name = config.instance_name;
  scheduler_options.result_retention_days = config.result_retention_days;
  lokahi::lokahid::Scheduler scheduler(
      scheduler_options,
      [&](const std::string& payload) {
        nats.Publish(lokahi::nats::Subjects::kCheckRun, payload);
      },
      [] { return std::chrono::system_clock::now(); }, log);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int bound_port = 0;
  builder.AddListeningPort("0.0.0.0:" + std::to_string(config.port),
                           grpc::InsecureServerCredentials(), &bound_port);
  builder.RegisterService(&service);
  auto server = builder.BuildAndStart();
  if (!server || bound_port == 0) {
    log.Error("listen_failed", {{"port", config.port}});
    return 1;
  }
  log.Info("listening", {{"port", bound_port}});
  scheduler.Start();

  int received = 0;
  sigwait(&stop_signals, &received);
  log.Info("stopping", {{"signal", received}});
  // Hand the scheduler lock over first, so another replica resumes dispatch without a gap.
  scheduler.Stop();
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  log.Info("stopped");
  return 0;
}

}  // namespace

int main() {
  try {
    return Run();
  } catch (const std::exception& e) {
    std::cerr << "lokahid: fatal: " << e.what() << "\n";
    return 1;
  }
}
