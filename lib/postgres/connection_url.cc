#include "lib/postgres/connection_url.h"

namespace lokahi::postgres {

std::string WithDefaultConnectTimeout(const std::string& url) {
  if (url.find("connect_timeout") != std::string::npos) return url;
  const std::string setting = "connect_timeout=" + std::to_string(kDefaultConnectTimeoutSeconds);
  const bool uri = url.rfind("postgres://", 0) == 0 || url.rfind("postgresql://", 0) == 0;
  if (!uri) return url.empty() ? setting : url + " " + setting;
  return url + (url.find('?') == std::string::npos ? "?" : "&") + setting;
}

}  // namespace lokahi::postgres
