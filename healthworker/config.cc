#include "healthworker/config.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "lib/probe/address_policy.h"

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
      << " LOKAHI_MAX_WRITE_BACKLOG_SECONDS=" << max_write_backlog_seconds;
  return out.str();
}

}  // namespace lokahi::healthworker
