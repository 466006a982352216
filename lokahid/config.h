#pragma once
#include <optional>
#include <string>
#include <vector>

#include "lib/auth/basic_auth.h"
#include "lib/config/daemon_settings.h"
#include "lib/config/env.h"
#include "lib/logging/logger.h"

namespace lokahi::lokahid {

struct LokahidConfig {
  std::string database_url;
  std::string nats_url;
  std::optional<auth::Credentials> credentials;  // unset = API open to anyone who can reach it
  int port = 24253;
  // LOKAHI_LISTEN_ADDRESS (PORT) and LOKAHI_METRICS_ADDRESS (LOKAHI_METRICS_PORT).
  config::ListenAddresses listen;
  logging::Level log_level = logging::Level::kInfo;  // LOKAHI_LOG_LEVEL
  int db_pool_size = 8;
  int min_every_seconds = 10;
  int metrics_port = 0;  // 0 = no /metrics and /healthz listener
  int result_retention_days = 7;
  int max_connections = 4096;  // open at once on PORT, both protocols together
  size_t http_max_body_bytes = 1 << 20;
  // Proxies whose X-Forwarded-For names the client (CIDRs); validated by FromEnv.
  std::vector<std::string> trusted_proxies;
  int auth_max_failures = 10;  // failed authentications per client address per minute
  std::string instance_name;
  // LOKAHI_TLS_CERT and LOKAHI_TLS_KEY: PEM files; both set = PORT speaks TLS only.
  std::string tls_certificate_path;
  std::string tls_key_path;
  // Push alerts (issue 16).
  std::optional<auth::Credentials> submit_credentials;  // LOKAHI_SUBMIT_USERPASS: submit only
  size_t events_max_body_bytes = 16u << 20;             // LOKAHI_EVENTS_MAX_BODY
  std::string alert_webhook_url;                        // LOKAHI_ALERT_WEBHOOK_URL
  int alert_repeat_seconds = 3600;                      // LOKAHI_ALERT_REPEAT; 0 = no reminders
  int alert_retention_days = 30;                        // LOKAHI_ALERT_RETENTION_DAYS
  bool tls() const { return !tls_certificate_path.empty(); }

  // Throws config::ConfigError naming the variable at fault.
  static LokahidConfig FromEnv(const config::Env& env);
  // One log-friendly line per setting, secrets scrubbed.
  std::string Describe() const;
};

}  // namespace lokahi::lokahid
