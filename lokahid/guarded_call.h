#pragma once
// Shared by the gRPC services: authentication and the mapping of store exceptions to statuses.

#include <grpcpp/grpcpp.h>

#include <optional>
#include <pqxx/except>

#include "lib/auth/basic_auth.h"
#include "lib/logging/logger.h"
#include "lib/postgres/connection_pool.h"

namespace lokahi::lokahid {

// OK when no credentials are configured or the call carries matching Basic credentials.
grpc::Status Authenticate(const grpc::ServerContext& context,
                          const std::optional<auth::Credentials>& credentials);

template <typename Body>
grpc::Status GuardedCall(grpc::ServerContext* context,
                         const std::optional<auth::Credentials>& credentials,
                         logging::Logger& log, const char* method, Body&& body) {
  if (auto status = Authenticate(*context, credentials); !status.ok()) return status;
  try {
    return body();
  } catch (const postgres::PoolExhausted& e) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, e.what());
  } catch (const pqxx::broken_connection& e) {
    log.Error("database_unreachable", {{"method", method}, {"error", e.what()}});
    return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        "the database is unreachable; retry shortly");
  } catch (const std::exception& e) {
    log.Error("call_failed", {{"method", method}, {"error", e.what()}});
    return grpc::Status(grpc::StatusCode::INTERNAL, std::string(method) + " failed: " + e.what());
  }
}

}  // namespace lokahi::lokahid
