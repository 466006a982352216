#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "lib/config/daemon_settings.h"
#include "lib/config/env.h"
#include "lib/logging/logger.h"
#include "lib/probe/address_policy.h"
#include "lib/webhook/signature.h"

namespace lokahi::webhookworker {

struct WebhookWorkerConfig {
  std::string database_url;
  std::string nats_url;
  // LOKAHI_WEBHOOK_SECRET: signs deliveries of checks that have no secret of their own.
  std::string default_secret;
  std::optional<webhook::SigningKey> default_key;
  std::chrono::seconds deadline{86400};
  std::chrono::milliseconds request_timeout{10000};
  // LOKAHI_WEBHOOK_MAX_BACKOFF_MS: the longest wait between two attempts of one delivery.
  std::chrono::milliseconds max_backoff{600000};
  // LOKAHI_OPS_WEBHOOK_URL: where a delivery given up for good is reported once; empty = nowhere.
  std::string ops_webhook_url;
  int concurrency = 256;
  int db_pool_size = 4;
  std::chrono::milliseconds sweep_interval{1000};
  int metrics_port = 0;  // 0 = no metrics listener
  // LOKAHI_METRICS_ADDRESS, else LOKAHI_LISTEN_ADDRESS: where the ops port binds (empty: every
  // address).
  std::string metrics_address;
  logging::Level log_level = logging::Level::kInfo;  // LOKAHI_LOG_LEVEL
  // LOKAHI_EGRESS_DENY: CIDRs webhooks may not connect to (checked on the connected address).
  std::vector<std::string> egress_deny;
  probe::AddressPolicy egress_policy;
  std::string instance_name;

  // Throws config::ConfigError naming the variable at fault.
  static WebhookWorkerConfig FromEnv(const config::Env& env);
  // One log-friendly line, secrets scrubbed.
  std::string Describe() const;
};

}  // namespace lokahi::webhookworker
