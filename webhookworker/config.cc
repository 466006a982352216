#include "webhookworker/config.h"

#include <unistd.h>

#include <sstream>

#include "lib/webhook/url_redaction.h"

namespace lokahi::webhookworker {

WebhookWorkerConfig WebhookWorkerConfig::FromEnv(const config::Env& env) {
  WebhookWorkerConfig c;
  c.database_url = env.String("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres");
  c.nats_url = env.String("NATS_URL", "nats://127.0.0.1:4222");
  c.default_secret = env.String("LOKAHI_WEBHOOK_SECRET", "");
  if (!c.default_secret.empty()) {
    c.default_key = webhook::SigningKey::Parse(c.default_secret);
    if (!c.default_key) {
      throw config::ConfigError(
          "LOKAHI_WEBHOOK_SECRET must be \"whsec_\" followed by a non-empty standard base64 key");
    }
  }
  c.deadline = std::chrono::seconds(env.Int("LOKAHI_WEBHOOK_DEADLINE", 86400, 1, 30LL * 86400));
  c.request_timeout =
      std::chrono::milliseconds(env.Int("LOKAHI_WEBHOOK_TIMEOUT_MS", 10000, 100, 300000));
  c.max_backoff =
      std::chrono::milliseconds(env.Int("LOKAHI_WEBHOOK_MAX_BACKOFF_MS", 600000, 100, 86400000));
  c.ops_webhook_url = env.String("LOKAHI_OPS_WEBHOOK_URL", "");
  if (!c.ops_webhook_url.empty() && c.ops_webhook_url.rfind("http://", 0) != 0 &&
      c.ops_webhook_url.rfind("https://", 0) != 0) {
    throw config::ConfigError("LOKAHI_OPS_WEBHOOK_URL must be an http:// or https:// URL");
  }
  c.concurrency = static_cast<int>(env.Int("LOKAHI_WEBHOOK_CONCURRENCY", 256, 1, 10000));
  c.db_pool_size = static_cast<int>(env.Int("LOKAHI_DB_POOL_SIZE", 4, 1, 200));
  c.sweep_interval =
      std::chrono::milliseconds(env.Int("LOKAHI_SWEEP_INTERVAL_MS", 1000, 10, 3600000));
  c.metrics_port = static_cast<int>(env.Int("LOKAHI_METRICS_PORT", 0, 0, 65535));
  c.metrics_address = config::ReadListenAddresses(env).metrics;
  c.log_level = config::ReadLogLevel(env);
  // The healthworker's default: link-local (cloud metadata) and "this network" are never a
  // legitimate webhook receiver; private ranges are, for self-hosted receivers.
  c.egress_deny = env.List("LOKAHI_EGRESS_DENY", probe::DefaultEgressDeny());
  try {
    c.egress_policy = probe::AddressPolicy::FromCidrs(c.egress_deny);
  } catch (const std::invalid_argument& e) {
    throw config::ConfigError(std::string("LOKAHI_EGRESS_DENY: ") + e.what());
  }
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  c.instance_name =
      env.String("LOKAHI_INSTANCE", std::string(host) + ":" + std::to_string(getpid()));
  return c;
}

std::string WebhookWorkerConfig::Describe() const {
  std::ostringstream out;
  out << "DATABASE_URL=" << config::ScrubUrl(database_url)
      << " NATS_URL=" << config::ScrubUrl(nats_url)
      << " LOKAHI_WEBHOOK_SECRET=" << (default_secret.empty() ? "(unset: unsigned)" : "***")
      << " LOKAHI_WEBHOOK_DEADLINE=" << deadline.count()
      << " LOKAHI_WEBHOOK_TIMEOUT_MS=" << request_timeout.count()
      << " LOKAHI_WEBHOOK_MAX_BACKOFF_MS=" << max_backoff.count() << " LOKAHI_OPS_WEBHOOK_URL="
      << (ops_webhook_url.empty() ? "(unset)" : webhook::RedactUrl(ops_webhook_url))
      << " LOKAHI_WEBHOOK_CONCURRENCY=" << concurrency << " LOKAHI_DB_POOL_SIZE=" << db_pool_size
      << " LOKAHI_SWEEP_INTERVAL_MS=" << sweep_interval.count()
      << " LOKAHI_METRICS_ADDRESS=" << config::DescribeListenAddress(metrics_address)
      << " LOKAHI_LOG_LEVEL=" << logging::LevelName(log_level)
      << " LOKAHI_METRICS_PORT=" << metrics_port << " LOKAHI_EGRESS_DENY=";
  for (size_t i = 0; i < egress_deny.size(); ++i) out << (i ? "," : "") << egress_deny[i];
  out << " LOKAHI_INSTANCE=" << instance_name;
  return out.str();
}

}  // namespace lokahi::webhookworker
