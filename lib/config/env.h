#pragma once
// Typed reading of configuration from environment variables. Each binary builds one config struct
// from an Env once at start; nothing else reads the environment.

#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace lokahi::config {

// Thrown for a bad configuration value; the message names the variable and says what is allowed.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A source of variables. Tests pass a map; binaries pass the process environment.
class Env {
 public:
  using Lookup = std::function<std::optional<std::string>(const std::string&)>;
  explicit Env(Lookup lookup) : lookup_(std::move(lookup)) {}
  static Env Process();
  static Env FromMap(std::map<std::string, std::string> values);

  // Unset and empty both read as absent.
  std::optional<std::string> Get(const std::string& name) const;
  std::string String(const std::string& name, const std::string& fallback) const;
  std::string RequiredString(const std::string& name) const;
  // An integer within [min, max]; throws ConfigError naming the variable otherwise.
  long long Int(const std::string& name, long long fallback, long long min, long long max) const;
  bool Bool(const std::string& name, bool fallback) const;
  // Comma-separated list, entries trimmed, empty entries dropped.
  std::vector<std::string> List(const std::string& name,
                                const std::vector<std::string>& fallback) const;

 private:
  Lookup lookup_;
};

// Replaces what is secret in a connection string, so effective config can be printed safely: the
// password in a URL ("postgres://u:secret@h/db" -> "postgres://u:***@h/db"), a NATS token
// ("nats://TOKEN@h" -> "nats://***@h"), query parameters named like secrets ("?password=***"),
// each URL of a comma-separated list, and libpq's keyword form ("host=h password=***").
// ScrubUserPass replaces the password half of "user:pass".
std::string ScrubUrl(const std::string& url);
std::string ScrubUserPass(const std::string& userpass);

}  // namespace lokahi::config
