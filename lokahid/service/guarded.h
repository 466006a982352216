#pragma once
// How every API method turns a store failure into an ApiStatus a caller can act on, once for all
// services: a full pool or an unreachable database is UNAVAILABLE (retry), anything else INTERNAL,
// logged with the method and transport.

#include <pqxx/except>

#include "lib/logging/logger.h"
#include "lib/postgres/connection_pool.h"
#include "lokahid/service/api_status.h"
#include "lokahid/service/authenticator.h"

namespace lokahi::lokahid {

template <typename Body>
ApiStatus RunGuarded(logging::Logger& log, const Caller& caller, const char* method, Body&& body) {
  try {
    return body();
  } catch (const postgres::PoolExhausted& e) {
    return {ApiCode::kUnavailable, e.what()};
  } catch (const pqxx::broken_connection& e) {
    log.Error("database_unreachable", {{"method", method}, {"error", e.what()}});
    return {ApiCode::kUnavailable, "the database is unreachable; retry shortly"};
  } catch (const std::exception& e) {
    log.Error("call_failed",
              {{"method", method}, {"transport", caller.transport}, {"error", e.what()}});
    return {ApiCode::kInternal, std::string(method) + " failed: " + e.what()};
  }
}

}  // namespace lokahi::lokahid
