#pragma once
// The Postgres and nats-server shared by every integration test in one test binary. Started on
// first use (unit-test binaries never start them) and stopped when the binary exits.

#include "tests/support/nats_server.h"
#include "tests/support/postgres_server.h"

namespace lokahi::testing {

struct SharedServices {
  PostgresServer postgres;
  NatsServer nats;
};

SharedServices& Services();

}  // namespace lokahi::testing
