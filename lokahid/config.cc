#include "lokahid/config.h"

#include <unistd.h>

#include <sstream>

#include "lib/alerts/raise_spec.h"
#include "lib/url/url.h"
#include "lokahid/front/client_address.h"

namespace lokahi::lokahid {

LokahidConfig LokahidConfig::FromEnv(const config::Env& env) {
  LokahidConfig c;
  c.database_url = env.String("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres");
  c.nats_url = env.String("NATS_URL", "nats://127.0.0.1:4222");
  if (auto userpass = env.Get("USERPASS")) {
    c.credentials = auth::ParseUserPass(*userpass);
    if (!c.credentials) {
      throw config::ConfigError("USERPASS must look like user:password (non-empty user)");
    }
  }
  c.port = static_cast<int>(env.Int("PORT", 24253, 1, 65535));
  c.listen = config::ReadListenAddresses(env);
  c.log_level = config::ReadLogLevel(env);
  c.db_pool_size = static_cast<int>(env.Int("LOKAHI_DB_POOL_SIZE", 8, 1, 200));
  c.min_every_seconds = static_cast<int>(env.Int("LOKAHI_MIN_EVERY", 10, 1, 86400));
  c.metrics_port = static_cast<int>(env.Int("LOKAHI_METRICS_PORT", 0, 0, 65535));
  c.result_retention_days = static_cast<int>(env.Int("LOKAHI_RESULT_RETENTION_DAYS", 7, 1, 3650));
  c.max_connections = static_cast<int>(env.Int("LOKAHI_MAX_CONNECTIONS", 4096, 16, 1000000));
  c.http_max_body_bytes =
      static_cast<size_t>(env.Int("LOKAHI_HTTP_MAX_BODY_BYTES", 1 << 20, 1024, 64 << 20));
  c.trusted_proxies = env.List("LOKAHI_TRUSTED_PROXIES", {});
  try {
    TrustedProxies::FromCidrs(c.trusted_proxies);
  } catch (const std::invalid_argument& e) {
    throw config::ConfigError(std::string("LOKAHI_TRUSTED_PROXIES: ") + e.what());
  }
  c.auth_max_failures = static_cast<int>(env.Int("LOKAHI_AUTH_MAX_FAILURES", 10, 0, 1000000));
  c.tls_certificate_path = env.String("LOKAHI_TLS_CERT", "");
  c.tls_key_path = env.String("LOKAHI_TLS_KEY", "");
  if (c.tls_certificate_path.empty() != c.tls_key_path.empty()) {
    throw config::ConfigError(std::string("LOKAHI_TLS_CERT and LOKAHI_TLS_KEY go together: ") +
                              (c.tls_key_path.empty() ? "LOKAHI_TLS_KEY" : "LOKAHI_TLS_CERT") +
                              " is not set");
  }
  if (auto userpass = env.Get("LOKAHI_SUBMIT_USERPASS")) {
    c.submit_credentials = auth::ParseUserPass(*userpass);
    if (!c.submit_credentials) {
      throw config::ConfigError(
          "LOKAHI_SUBMIT_USERPASS must look like user:password (non-empty user)");
    }
    if (!c.credentials) {
      throw config::ConfigError(
          "LOKAHI_SUBMIT_USERPASS needs USERPASS: without admin credentials every caller is admin");
    }
  }
  c.events_max_body_bytes =
      static_cast<size_t>(env.Int("LOKAHI_EVENTS_MAX_BODY", 16 << 20, 1024, 256 << 20));
  c.alert_webhook_url = env.String("LOKAHI_ALERT_WEBHOOK_URL", "");
  if (!c.alert_webhook_url.empty()) {
    std::string why;
    if (!url::Url::Parse(c.alert_webhook_url, &why)) {
      throw config::ConfigError("LOKAHI_ALERT_WEBHOOK_URL " + why);
    }
  }
  if (auto repeat = env.Get("LOKAHI_ALERT_REPEAT")) {
    std::string why;
    const auto seconds = *repeat == "0" ? std::optional<std::chrono::seconds>(0)
                                        : alerts::ParseDuration(*repeat, &why);
    if (!seconds) throw config::ConfigError("LOKAHI_ALERT_REPEAT " + why + " (0: no reminders)");
    c.alert_repeat_seconds = static_cast<int>(std::min<long long>(seconds->count(), 86400 * 365));
  }
  c.alert_retention_days = static_cast<int>(env.Int("LOKAHI_ALERT_RETENTION_DAYS", 30, 1, 3650));
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  c.instance_name =
      env.String("LOKAHI_INSTANCE", std::string(host) + ":" + std::to_string(getpid()));
  return c;
}

std::string LokahidConfig::Describe() const {
  std::ostringstream out;
  out << "DATABASE_URL=" << config::ScrubUrl(database_url)
      << " NATS_URL=" << config::ScrubUrl(nats_url)
      << " USERPASS=" << (credentials ? credentials->user + ":***" : "(unset: no auth)")
      << " LOKAHI_LISTEN_ADDRESS=" << config::DescribeListenAddress(listen.service)
      << " PORT=" << port
      << " LOKAHI_METRICS_ADDRESS=" << config::DescribeListenAddress(listen.metrics)
      << " LOKAHI_LOG_LEVEL=" << logging::LevelName(log_level)
      << " LOKAHI_DB_POOL_SIZE=" << db_pool_size << " LOKAHI_MIN_EVERY=" << min_every_seconds
      << " LOKAHI_METRICS_PORT=" << metrics_port
      << " LOKAHI_RESULT_RETENTION_DAYS=" << result_retention_days
      << " LOKAHI_MAX_CONNECTIONS=" << max_connections
      << " LOKAHI_HTTP_MAX_BODY_BYTES=" << http_max_body_bytes << " LOKAHI_TRUSTED_PROXIES=";
  for (size_t i = 0; i < trusted_proxies.size(); ++i) {
    out << (i ? "," : "") << trusted_proxies[i];
  }
  out << " LOKAHI_AUTH_MAX_FAILURES=" << auth_max_failures << " LOKAHI_INSTANCE=" << instance_name
      << " LOKAHI_TLS_CERT=" << (tls() ? tls_certificate_path : "(unset: plaintext)")
      << " LOKAHI_TLS_KEY=" << (tls() ? tls_key_path : "(unset)") << " LOKAHI_SUBMIT_USERPASS="
      << (submit_credentials ? submit_credentials->user + ":***" : "(unset)")
      << " LOKAHI_EVENTS_MAX_BODY=" << events_max_body_bytes << " LOKAHI_ALERT_WEBHOOK_URL="
      << (alert_webhook_url.empty() ? "(unset)" : config::ScrubUrl(alert_webhook_url))
      << " LOKAHI_ALERT_REPEAT=" << alert_repeat_seconds
      << " LOKAHI_ALERT_RETENTION_DAYS=" << alert_retention_days;
  return out.str();
}

}  // namespace lokahi::lokahid
