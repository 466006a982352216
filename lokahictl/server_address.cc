#include "lokahictl/server_address.h"

#include <algorithm>
#include <regex>
#include <stdexcept>

namespace lokahi::lokahictl {

ServerAddress ParseServerAddress(const std::string& text) {
  std::string rest = text;
  ServerAddress address;
  const auto scheme_end = rest.find("://");
  if (scheme_end != std::string::npos) {
    const std::string scheme = rest.substr(0, scheme_end);
    if (scheme != "http" && scheme != "https") {
      throw std::invalid_argument("server must be http[s]://[user:pass@]host:port, got scheme \"" +
                                  scheme + "\"");
    }
    address.tls = scheme == "https";
    rest = rest.substr(scheme_end + 3);
  }
  if (const auto slash = rest.find('/'); slash != std::string::npos) rest = rest.substr(0, slash);
  if (const auto at = rest.rfind('@'); at != std::string::npos) {
    address.credentials = auth::ParseUserPass(rest.substr(0, at));
    if (!address.credentials) {
      throw std::invalid_argument("server credentials must be user:pass before the @");
    }
    rest = rest.substr(at + 1);
  }
  if (rest.empty()) throw std::invalid_argument("server has no host: \"" + text + "\"");
  if (rest.find(':') == std::string::npos || rest.back() == ']') {
    rest += address.tls ? ":443" : ":24253";
  }
  // gRPC reads the port modulo 65536: 99999 would send the credentials to port 34463.
  const std::string port = rest.substr(rest.rfind(':') + 1);
  const bool digits =
      !port.empty() && port.size() <= 5 &&
      std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits || std::stoi(port) < 1 || std::stoi(port) > 65535) {
    throw std::invalid_argument("server port must be between 1 and 65535, got \"" +
                                port.substr(0, 100) + "\"");
  }
  address.target = rest;
  return address;
}

std::optional<std::string> ServerFromHcl(const std::string& hcl_text) {
  static const std::regex kServerLine(R"(^\s*server\s*=\s*"([^"]*)\"\s*$)");
  size_t start = 0;
  while (start < hcl_text.size()) {
    size_t end = hcl_text.find('\n', start);
    if (end == std::string::npos) end = hcl_text.size();
    std::smatch match;
    const std::string line = hcl_text.substr(start, end - start);
    if (std::regex_match(line, match, kServerLine)) return match[1].str();
    start = end + 1;
  }
  return std::nullopt;
}

std::string ResolveServer(const std::optional<std::string>& flag,
                          const std::optional<std::string>& env,
                          const std::optional<std::string>& hcl_text) {
  if (flag && !flag->empty()) return *flag;
  if (env && !env->empty()) return *env;
  if (hcl_text) {
    if (auto from_file = ServerFromHcl(*hcl_text)) return *from_file;
  }
  return "http://127.0.0.1:24253";
}

}  // namespace lokahi::lokahictl
