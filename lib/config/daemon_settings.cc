#include "lib/config/daemon_settings.h"

#include <arpa/inet.h>
#include <netinet/in.h>

namespace lokahi::config {

namespace {

constexpr size_t kQuotedAtMost = 100;

std::string Quoted(const std::string& value) {
  return "\"" + (value.size() > kQuotedAtMost ? value.substr(0, kQuotedAtMost) + "…" : value) +
         "\"";
}

std::string ListenAddress(const Env& env, const std::string& name, const std::string& fallback) {
  const auto value = env.Get(name);
  if (!value) return fallback;
  std::string address = *value;
  if (address.size() > 2 && address.front() == '[' && address.back() == ']') {
    address = address.substr(1, address.size() - 2);
  }
  in_addr v4{};
  in6_addr v6{};
  if (inet_pton(AF_INET, address.c_str(), &v4) == 1 ||
      inet_pton(AF_INET6, address.c_str(), &v6) == 1) {
    return address;
  }
  throw ConfigError(name +
                    " must be an IP address of this host (such as 127.0.0.1, ::1, 0.0.0.0 or ::), "
                    "got " +
                    Quoted(*value));
}

}  // namespace

ListenAddresses ReadListenAddresses(const Env& env) {
  ListenAddresses addresses;
  addresses.service = ListenAddress(env, "LOKAHI_LISTEN_ADDRESS", "");
  addresses.metrics = ListenAddress(env, "LOKAHI_METRICS_ADDRESS", addresses.service);
  return addresses;
}

logging::Level ReadLogLevel(const Env& env) {
  const auto value = env.Get("LOKAHI_LOG_LEVEL");
  if (!value) return logging::Level::kInfo;
  if (const auto level = logging::ParseLevel(*value)) return *level;
  throw ConfigError("LOKAHI_LOG_LEVEL must be debug, info, warn or error, got " + Quoted(*value));
}

std::string DescribeListenAddress(const std::string& address) {
  return address.empty() ? "(every address)" : address;
}

}  // namespace lokahi::config
