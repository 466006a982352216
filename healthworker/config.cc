#include "healthworker/config.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "lib/checks/quote.h"
#include "lib/probe/address_policy.h"
#include "lib/url/url.h"

namespace lokahi::healthworker {

HealthworkerConfig HealthworkerConfig::FromEnv(const config::Env& env) {
  HealthworkerConfig c;
  c.database_url = env.String("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres");
  c.nats_url = env.String("NATS_URL", "nats://127.0.0.1:4222");
  c.max_in_flight = static_cast<int>(env.Int("LOKAHI_MAX_IN_FLIGHT", 1000, 1, 100000));
  c.egress_deny = env.List("LOKAHI_EGRESS_DENY", probe::DefaultEgressDeny());
  c.proxy = env.String("LOKAHI_PROXY", "");
  c.ca_bundle = env.String("LOKAHI_CA_BUNDLE", "");
  if (!c.ca_bundle.empty() && !std::ifstream(c.ca_bundle).good()) {
    throw config::ConfigError("LOKAHI_CA_BUNDLE: cannot read " + c.ca_bundle.substr(0, 100) + ": " +
                              std::strerror(errno));
  }
  c.tls_resume = env.Bool("LOKAHI_TLS_RESUME", false);
  c.tls_full_handshake_minutes =
      static_cast<int>(env.Int("LOKAHI_TLS_FULL_HANDSHAKE_MINUTES", 10, 1, 1440));
  c.db_pool_size = static_cast<int>(env.Int("LOKAHI_DB_POOL_SIZE", 4, 1, 100));
  c.batch_max_rows = static_cast<int>(env.Int("LOKAHI_BATCH_MAX_ROWS", 5000, 1, 100000));
  c.batch_max_delay_ms = static_cast<int>(env.Int("LOKAHI_BATCH_MAX_DELAY_MS", 200, 1, 60000));
  c.max_queued = static_cast<int>(env.Int("LOKAHI_MAX_QUEUED", 100000, 1, 10000000));
  c.max_start_lag_ms = static_cast<int>(env.Int("LOKAHI_MAX_START_LAG_MS", 10000, 100, 3600000));
  c.newest_first_after_ms =
      static_cast<int>(env.Int("LOKAHI_NEWEST_FIRST_AFTER_MS", 1000, 0, 3600000));
  c.metrics_port = static_cast<int>(env.Int("LOKAHI_METRICS_PORT", 0, 0, 65535));
  c.metrics_address = config::ReadListenAddresses(env).metrics;
  c.log_level = config::ReadLogLevel(env);
  c.stop_grace_ms = static_cast<int>(env.Int("LOKAHI_STOP_GRACE_MS", 15000, 0, 600000));
  c.max_write_backlog_seconds =
      static_cast<int>(env.Int("LOKAHI_MAX_WRITE_BACKLOG_SECONDS", 60, 1, 86400));
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  c.instance_name =
      env.String("LOKAHI_INSTANCE", std::string(host) + ":" + std::to_string(getpid()));
  c.ops_webhook_url = env.String("LOKAHI_OPS_WEBHOOK_URL", "");
  if (!c.ops_webhook_url.empty()) {
    std::string why;
    if (!url::Url::Parse(c.ops_webhook_url, &why)) {
      throw config::ConfigError("LOKAHI_OPS_WEBHOOK_URL: url " + why);
    }
  }
  c.canary_urls = env.List("LOKAHI_CANARY_URLS", {});
  if (c.canary_urls.size() > 16) {
    throw config::ConfigError("LOKAHI_CANARY_URLS must list at most 16 URLs, got " +
                              std::to_string(c.canary_urls.size()));
  }
  for (const auto& canary : c.canary_urls) {
    std::string why;
    if (!url::Url::Parse(canary, &why)) {
      throw config::ConfigError("LOKAHI_CANARY_URLS: url " + why + ": " + checks::Quote(canary));
    }
  }
  c.canary_interval_ms = static_cast<int>(env.Int("LOKAHI_CANARY_INTERVAL_MS", 2000, 200, 60000));
  c.canary_timeout_ms = static_cast<int>(env.Int("LOKAHI_CANARY_TIMEOUT_MS", 2000, 100, 30000));
  c.spike_window_seconds =
      static_cast<int>(env.Int("LOKAHI_VANTAGE_SPIKE_WINDOW_SECONDS", 30, 2, 3600));
  c.spike_min_hosts = static_cast<int>(env.Int("LOKAHI_VANTAGE_SPIKE_MIN_HOSTS", 5, 1, 100000));
  c.baseline_window_seconds =
      static_cast<int>(env.Int("LOKAHI_VANTAGE_BASELINE_WINDOW_SECONDS", 600, 10, 86400));
  c.recover_rounds = static_cast<int>(env.Int("LOKAHI_VANTAGE_RECOVER_ROUNDS", 2, 1, 100));
  return c;
}

std::string HealthworkerConfig::Describe() const {
  std::ostringstream out;
  out << "DATABASE_URL=" << config::ScrubUrl(database_url)
      << " NATS_URL=" << config::ScrubUrl(nats_url) << " LOKAHI_MAX_IN_FLIGHT=" << max_in_flight
      << " LOKAHI_EGRESS_DENY=";
  for (size_t i = 0; i < egress_deny.size(); ++i) out << (i ? "," : "") << egress_deny[i];
  out << " LOKAHI_PROXY=" << (proxy.empty() ? "(none)" : config::ScrubUrl(proxy))
      << " LOKAHI_CA_BUNDLE=" << (ca_bundle.empty() ? "(system)" : ca_bundle)
      << " LOKAHI_TLS_RESUME=" << (tls_resume ? "true" : "false")
      << " LOKAHI_TLS_FULL_HANDSHAKE_MINUTES=" << tls_full_handshake_minutes
      << " LOKAHI_DB_POOL_SIZE=" << db_pool_size << " LOKAHI_BATCH_MAX_ROWS=" << batch_max_rows
      << " LOKAHI_BATCH_MAX_DELAY_MS=" << batch_max_delay_ms << " LOKAHI_MAX_QUEUED=" << max_queued
      << " LOKAHI_MAX_START_LAG_MS=" << max_start_lag_ms
      << " LOKAHI_NEWEST_FIRST_AFTER_MS=" << newest_first_after_ms
      << " LOKAHI_METRICS_ADDRESS=" << config::DescribeListenAddress(metrics_address)
      << " LOKAHI_LOG_LEVEL=" << logging::LevelName(log_level)
      << " LOKAHI_METRICS_PORT=" << metrics_port << " LOKAHI_STOP_GRACE_MS=" << stop_grace_ms
      << " LOKAHI_MAX_WRITE_BACKLOG_SECONDS=" << max_write_backlog_seconds
      << " LOKAHI_INSTANCE=" << instance_name << " LOKAHI_OPS_WEBHOOK_URL="
      << (ops_webhook_url.empty() ? "(none)" : config::ScrubUrl(ops_webhook_url))
      << " LOKAHI_CANARY_URLS=";
  for (size_t i = 0; i < canary_urls.size(); ++i) {
    out << (i ? "," : "") << config::ScrubUrl(canary_urls[i]);
  }
  if (canary_urls.empty()) out << "(none)";
  out << " LOKAHI_CANARY_INTERVAL_MS=" << canary_interval_ms
      << " LOKAHI_CANARY_TIMEOUT_MS=" << canary_timeout_ms
      << " LOKAHI_VANTAGE_SPIKE_WINDOW_SECONDS=" << spike_window_seconds
      << " LOKAHI_VANTAGE_SPIKE_MIN_HOSTS=" << spike_min_hosts
      << " LOKAHI_VANTAGE_BASELINE_WINDOW_SECONDS=" << baseline_window_seconds
      << " LOKAHI_VANTAGE_RECOVER_ROUNDS=" << recover_rounds;
  return out.str();
}

}  // namespace lokahi::healthworker
