// A pooled connection to a server that never answers fails within the connect timeout, instead
// of hanging /healthz and every caller behind it.

#include "lib/postgres/connection_url.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>

#include "lib/postgres/connection_pool.h"
#include "tests/support/ports.h"

namespace lokahi::postgres {
namespace {

TEST(ConnectionUrlTest, AddsAConnectTimeoutInTheUrlsOwnFormUnlessOneIsSet) {
  EXPECT_EQ(WithDefaultConnectTimeout("postgresql://u:p@127.0.0.1:5432/lokahi"),
            "postgresql://u:p@127.0.0.1:5432/lokahi?connect_timeout=5");
  EXPECT_EQ(WithDefaultConnectTimeout("postgres://h/db?sslmode=require"),
            "postgres://h/db?sslmode=require&connect_timeout=5");
  EXPECT_EQ(WithDefaultConnectTimeout("host=127.0.0.1 dbname=lokahi"),
            "host=127.0.0.1 dbname=lokahi connect_timeout=5");
  EXPECT_EQ(WithDefaultConnectTimeout("postgresql://h/db?connect_timeout=30"),
            "postgresql://h/db?connect_timeout=30")
      << "the operator's own setting wins";
}

TEST(ConnectionUrlTest, APoolConnectingToAServerThatNeverAnswersGivesUpWithinTheTimeout) {
  // Accepts TCP connections (the kernel's backlog does) and never says a word.
  int port = 0;
  const int listener = testing::ListenOnLoopback(&port);

  ConnectionPool pool("postgresql://postgres@127.0.0.1:" + std::to_string(port) + "/lokahi", 1);
  const auto started = std::chrono::steady_clock::now();
  EXPECT_ANY_THROW(pool.Acquire());
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_LT(waited, std::chrono::seconds(kDefaultConnectTimeoutSeconds + 5));
  close(listener);
}

}  // namespace
}  // namespace lokahi::postgres
