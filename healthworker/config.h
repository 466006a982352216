#pragma once
#include <string>
#include <vector>

#include "lib/config/daemon_settings.h"
#include "lib/config/env.h"
#include "lib/logging/logger.h"

namespace lokahi::healthworker {

struct HealthworkerConfig {
  std::string database_url;
  std::string nats_url;
  int max_in_flight = 1000;
  std::vector<std::string> egress_deny;
  std::string proxy;
  std::string ca_bundle;  // LOKAHI_CA_BUNDLE; empty = the system's CA bundle
  bool tls_resume = false;
  int tls_full_handshake_minutes = 10;
  int db_pool_size = 4;
  int batch_max_rows = 5000;
  int batch_max_delay_ms = 200;
  int max_queued = 100000;
  int max_start_lag_ms = 10000;
  int newest_first_after_ms = 1000;
  int metrics_port = 0;
  // LOKAHI_METRICS_ADDRESS, else LOKAHI_LISTEN_ADDRESS: where the ops port binds (empty: every
  // address).
  std::string metrics_address;
  logging::Level log_level = logging::Level::kInfo;  // LOKAHI_LOG_LEVEL
  int stop_grace_ms = 15000;
  int max_write_backlog_seconds = 60;
  std::string instance_name;    // LOKAHI_INSTANCE: host:pid unless set
  std::string ops_webhook_url;  // LOKAHI_OPS_WEBHOOK_URL: vantage impaired/recovered notices
  // The worker's own path (vantage): canaries and the failure-spike windows.
  std::vector<std::string> canary_urls;
  int canary_interval_ms = 2000;
  int canary_timeout_ms = 2000;
  int spike_window_seconds = 30;
  int spike_min_hosts = 5;
  int baseline_window_seconds = 600;
  int recover_rounds = 2;

  static HealthworkerConfig FromEnv(const config::Env& env);
  std::string Describe() const;
};

}  // namespace lokahi::healthworker
