#include "lokahictl/server_address.h"

#include <regex>
#include <stdexcept>

#include "lib/url/url.h"

namespace lokahi::lokahictl {

ServerAddress ParseServerAddress(const std::string& text) {
  // libcurl's URL API decides, as it does for every URL we accept: a hand-written split disagreed
  // with it on odd input (two ports, '@' in a password) and gRPC reads a port modulo 65536, so
  // 99999 sent the credentials to port 34463. The text is never quoted back: it may hold them.
  const bool has_scheme = text.find("://") != std::string::npos;
  std::string why;
  const auto parsed = url::Url::Parse(has_scheme ? text : "http://" + text, &why);
  if (!parsed) throw std::invalid_argument("server " + why);
  ServerAddress address;
  address.tls = parsed->scheme() == "https";
  const std::string user = parsed->user();
  if (!user.empty()) {
    address.credentials = auth::ParseUserPass(user + ":" + parsed->password());
    if (!address.credentials) {
      throw std::invalid_argument("server credentials must be user:pass before the @");
    }
  }
  const int port = parsed->port() != 0 ? parsed->port() : (address.tls ? 443 : 24253);
  address.target = parsed->host() + ":" + std::to_string(port);
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
