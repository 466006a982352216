#include "lib/config/env.h"

#include <algorithm>
#include <cctype>
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

namespace {

bool IsSecretKey(std::string key) {
  std::transform(key.begin(), key.end(), key.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  for (const char* word : {"pass", "token", "secret"}) {
    if (key.find(word) != std::string::npos) return true;
  }
  return false;
}

// libpq's keyword form: "host=h user=u password='it''s' dbname=d".
std::string ScrubKeywordString(const std::string& text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    const auto eq = text.find('=', i);
    if (eq == std::string::npos) return out + text.substr(i);
    // libpq allows "key = value": the key is the word before '=', spaces skipped.
    size_t key_end = eq;
    while (key_end > i && std::isspace(static_cast<unsigned char>(text[key_end - 1]))) --key_end;
    size_t key_start = key_end;
    while (key_start > i && !std::isspace(static_cast<unsigned char>(text[key_start - 1]))) {
      --key_start;
    }
    const std::string key = text.substr(key_start, key_end - key_start);
    out += text.substr(i, eq + 1 - i);
    size_t value_start = text.find_first_not_of(" \t", eq + 1);
    if (value_start == std::string::npos) return out + text.substr(eq + 1);
    out += text.substr(eq + 1, value_start - eq - 1);
    size_t value_end = value_start;
    if (text[value_start] == '\'') {
      value_end = value_start + 1;
      while (value_end < text.size() && text[value_end] != '\'') {
        if (text[value_end] == '\\') ++value_end;
        ++value_end;
      }
      value_end = std::min(value_end + 1, text.size());
    } else {
      value_end = text.find_first_of(" \t", value_start);
      if (value_end == std::string::npos) value_end = text.size();
    }
    out += IsSecretKey(key) ? "***" : text.substr(value_start, value_end - value_start);
    i = value_end;
  }
  return out;
}

// Query parameters named like secrets ("?password=x&sslmode=require").
std::string ScrubQuery(const std::string& url) {
  const auto question = url.find('?');
  if (question == std::string::npos) return url;
  std::string out = url.substr(0, question + 1);
  size_t i = question + 1;
  while (i <= url.size()) {
    auto amp = url.find_first_of("&#", i);
    if (amp == std::string::npos) amp = url.size();
    const std::string param = url.substr(i, amp - i);
    const auto eq = param.find('=');
    if (eq != std::string::npos && IsSecretKey(param.substr(0, eq))) {
      out += param.substr(0, eq + 1) + "***";
    } else {
      out += param;
    }
    if (amp == url.size()) break;
    if (url[amp] == '#') return out + url.substr(amp);
    out += '&';
    i = amp + 1;
  }
  return out;
}

// One URL: the password of user:password, a NATS token (nats://TOKEN@host) and secret query
// parameters.
std::string ScrubOneUrl(const std::string& url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  const std::string scheme = url.substr(0, scheme_end);
  const auto authority_start = scheme_end + 3;
  const auto authority_end = std::min(url.find_first_of("/?#", authority_start), url.size());
  const auto at = url.rfind('@', authority_end - 1);  // authority_end > authority_start > 0
  std::string scrubbed = url;
  if (at != std::string::npos && at >= authority_start && at < authority_end) {
    const auto colon = url.find(':', authority_start);
    if (colon != std::string::npos && colon < at) {
      scrubbed = url.substr(0, colon + 1) + "***" + url.substr(at);
    } else if (scheme == "nats" || scheme == "tls" || scheme == "ws" || scheme == "wss") {
      scrubbed = url.substr(0, authority_start) + "***" + url.substr(at);
    }
  }
  return ScrubQuery(scrubbed);
}

}  // namespace

std::string ScrubUrl(const std::string& url) {
  if (url.find("://") == std::string::npos) {
    return url.find('=') == std::string::npos ? url : ScrubKeywordString(url);
  }
  // NATS_URL may list several servers: "nats://a:x@h1:4222,nats://a:x@h2:4222".
  std::string out;
  size_t start = 0;
  while (true) {
    const auto comma = url.find(',', start);
    out += ScrubOneUrl(
        url.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) return out;
    out += ',';
    start = comma + 1;
  }
}

std::string ScrubUserPass(const std::string& userpass) {
  if (userpass.empty()) return userpass;
  const auto colon = userpass.find(':');
  if (colon == std::string::npos) return "***";
  return userpass.substr(0, colon) + ":***";
}

}  // namespace lokahi::config
