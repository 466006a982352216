#pragma once
// Readiness and gauges for what every daemon depends on: its Postgres pool and NATS connection.

#include "lib/metrics/readiness.h"
#include "lib/metrics/registry.h"
#include "lib/nats/nats_client.h"
#include "lib/postgres/connection_pool.h"

namespace lokahi::daemon {

// Ready when a pool connection answers `SELECT 1` (a pool busy with work counts as up).
metrics::ReadinessCheck PostgresReadiness(postgres::ConnectionPool& pool);
// Ready while the connection is established (not connecting or reconnecting).
metrics::ReadinessCheck NatsReadiness(const nats::Connection& nats);

// lokahi_db_pool_in_use, lokahi_db_pool_size, lokahi_nats_reconnects_total, lokahi_nats_connected.
void RegisterConnectionMetrics(metrics::Registry& registry, const postgres::ConnectionPool& pool,
                               const nats::Connection& nats);

}  // namespace lokahi::daemon
