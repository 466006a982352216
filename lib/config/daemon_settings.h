#pragma once
// Settings every daemon and receiver reads the same way: where its listeners bind and how much it
// logs. Each binary reads them once, with the rest of its configuration.

#include <string>

#include "lib/config/env.h"
#include "lib/logging/logger.h"

namespace lokahi::config {

// Addresses to bind, as IP literals ("127.0.0.1", "::1"; brackets dropped). Empty = every address
// of the host, what each listener did before the setting existed.
struct ListenAddresses {
  std::string service;  // LOKAHI_LISTEN_ADDRESS: lokahid's PORT, a receiver's PORT
  // LOKAHI_METRICS_ADDRESS, else LOKAHI_LISTEN_ADDRESS: the ops port (/metrics, /healthz), so it
  // can stay on 127.0.0.1 while the service port is public.
  std::string metrics;
};

// Throws ConfigError naming the variable when a value is no IP address.
ListenAddresses ReadListenAddresses(const Env& env);

// LOKAHI_LOG_LEVEL: debug, info (the default), warn or error. Throws ConfigError otherwise.
logging::Level ReadLogLevel(const Env& env);

// How an address reads in a daemon's effective configuration: "(every address)" when empty.
std::string DescribeListenAddress(const std::string& address);

}  // namespace lokahi::config
