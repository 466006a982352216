#include "lib/daemon/dependency_health.h"

#include <pqxx/pqxx>

namespace lokahi::daemon {

metrics::ReadinessCheck PostgresReadiness(postgres::ConnectionPool& pool) {
  return [&pool]() -> metrics::Readiness {
    try {
      auto connection = pool.Acquire(std::chrono::milliseconds(500));
      pqxx::nontransaction(*connection).exec("SELECT 1");
      return metrics::Readiness::Ready();
    } catch (const postgres::PoolExhausted&) {
      return metrics::Readiness::Ready();
    } catch (const std::exception& e) {
      return metrics::Readiness::NotReady(std::string("postgres: ") + e.what());
    }
  };
}

metrics::ReadinessCheck NatsReadiness(const nats::Connection& nats) {
  return [&nats]() -> metrics::Readiness {
    if (nats.Connected()) return metrics::Readiness::Ready();
    const std::string why = nats.LastError();
    if (nats.Closed()) {
      return metrics::Readiness::NotReady(
          "nats: gave up after the server refused the connection (" + why +
          "); check the credentials in NATS_URL and restart");
    }
    return metrics::Readiness::NotReady("nats: disconnected" +
                                        (why.empty() ? "" : " (" + why + ")"));
  };
}

void RegisterConnectionMetrics(metrics::Registry& registry, const postgres::ConnectionPool& pool,
                               const nats::Connection& nats) {
  registry.AddComputedGauge("lokahi_db_pool_in_use", "Postgres connections lent out now.",
                            [&pool] { return static_cast<double>(pool.in_use()); });
  registry.AddComputedGauge("lokahi_db_pool_size", "Postgres connections the pool may open.",
                            [&pool] { return static_cast<double>(pool.size()); });
  registry.AddComputedCounter("lokahi_nats_reconnects_total", "Times NATS was reconnected.",
                              [&nats] { return static_cast<double>(nats.Reconnects()); });
  registry.AddComputedGauge("lokahi_nats_connected", "1 while connected to NATS.",
                            [&nats] { return nats.Connected() ? 1.0 : 0.0; });
}

}  // namespace lokahi::daemon
