#pragma once
// Connection strings as the daemons use them: libpq waits forever for a server that accepts the
// TCP connection but never answers (a black-holed address, a hung host), which would stall
// /healthz and every pooled caller. Unless the operator set one, a connect timeout is added.

#include <string>

namespace lokahi::postgres {

inline constexpr int kDefaultConnectTimeoutSeconds = 5;

// `url` as given if it names connect_timeout already; otherwise with connect_timeout added, in
// its own form (a postgres:// URI's query string, or a key=value list).
std::string WithDefaultConnectTimeout(const std::string& url);

}  // namespace lokahi::postgres
