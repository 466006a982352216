#pragma once
// Where lokahictl connects, resolved in lokahi's order: --server, $LOKAHI_SERVER,
// ~/.lokahictl.hcl (`server = "…"`), then http://127.0.0.1:24253.

#include <optional>
#include <string>

#include "lib/auth/basic_auth.h"

namespace lokahi::lokahictl {

struct ServerAddress {
  std::string target;  // host:port for gRPC
  std::optional<auth::Credentials> credentials;
  // https://: TLS, verified against the system's CA roots (GRPC_DEFAULT_SSL_ROOTS_FILE_PATH
  // names another bundle), so the credentials never cross the network in the clear.
  bool tls = false;
};

// Accepts "http://user:pass@host:port", "host:port", "http://host:port" and "https://…" (port
// 443 when none is given; 24253 otherwise). Throws std::invalid_argument with a message naming
// the bad part.
ServerAddress ParseServerAddress(const std::string& text);

// Reads `server = "…"` from an HCL file's text; nullopt when absent.
std::optional<std::string> ServerFromHcl(const std::string& hcl_text);

std::string ResolveServer(const std::optional<std::string>& flag,
                          const std::optional<std::string>& env,
                          const std::optional<std::string>& hcl_text);

}  // namespace lokahi::lokahictl
