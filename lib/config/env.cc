#include "lib/config/env.h"

#include <cstdlib>
#include <limits>

namespace lokahi::config {

Env Env::Process() {
  return Env([](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  });
}

Env Env::FromMap(std::map<std::string, std::string> values) {
  return Env([values = std::move(values)](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  });
}

std::optional<std::string> Env::Get(const std::string& name) const {
  auto value = lookup_(name);
  if (!value || value->empty()) return std::nullopt;
  return value;
}

std::string Env::String(const std::string& name, const std::string& fallback) const {
  return Get(name).value_or(fallback);
}

std::string Env::RequiredString(const std::string& name) const {
  auto value = Get(name);
  if (!value) throw ConfigError(name + " must be set");
  return *value;
}

long long Env::Int(const std::string& name, long long fallback, long long min,
                   long long max) const {
  auto value = Get(name);
  if (!value) return fallback;
  long long parsed = 0;
  size_t consumed = 0;
  try {
    parsed = std::stoll(*value, &consumed);
  } catch (const std::exception&) {
    consumed = 0;
  }
  if (consumed != value->size()) {
    throw ConfigError(name + " must be a whole number, got \"" + *value + "\"");
  }
  if (parsed < min || parsed > max) {
    throw ConfigError(name + " must be between " + std::to_string(min) + " and " +
                      std::to_string(max) + ", got " + *value);
  }
  return parsed;
}

bool Env::Bool(const std::string& name, bool fallback) const {
  auto value = Get(name);
  if (!value) return fallback;
  if (*value == "1" || *value == "true" || *value == "yes" || *value == "on") return true;
  if (*value == "0" || *value == "false" || *value == "no" || *value == "off") return false;
  throw ConfigError(name + " must be true or false, got \"" + *value + "\"");
}

std::vector<std::string> Env::List(const std::string& name,
                                   const std::vector<std::string>& fallback) const {
  auto value = Get(name);
  if (!value) return fallback;
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= value->size()) {
    size_t end = value->find(',', start);
    if (end == std::string::npos) end = value->size();
    std::string item = value->substr(start, end - start);
    const auto first = item.find_first_not_of(" \t");
    const auto last = item.find_last_not_of(" \t");
    if (first != std::string::npos) items.push_back(item.substr(first, last - first + 1));
    start = end + 1;
  }
  return items;
}

std::string ScrubUrl(const std::string& url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  const auto authority_start = scheme_end + 3;
  const auto at = url.find('@', authority_start);
  const auto slash = url.find('/', authority_start);
  if (at == std::string::npos || (slash != std::string::npos && slash < at)) return url;
  const auto colon = url.find(':', authority_start);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

std::string ScrubUserPass(const std::string& userpass) {
  if (userpass.empty()) return userpass;
  const auto colon = userpass.find(':');
  if (colon == std::string::npos) return "***";
  return userpass.substr(0, colon) + ":***";
}

}  // namespace lokahi::config
