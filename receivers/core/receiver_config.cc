#include "receivers/core/receiver_config.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "lib/config/daemon_settings.h"
#include "lib/url/url.h"

namespace lokahi::receivers {
namespace {

int PortFromEnv(const config::Env& env) {
  return static_cast<int>(env.Int("PORT", kDefaultPort, 1, 65535));
}

std::chrono::milliseconds Milliseconds(const config::Env& env, const std::string& name,
                                       std::chrono::milliseconds fallback, long long min,
                                       long long max) {
  return std::chrono::milliseconds(env.Int(name, fallback.count(), min, max));
}

std::string FormatNumber(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

}  // namespace

SampleHookConfig SampleHookConfig::FromEnv(const config::Env& env) {
  SampleHookConfig config;
  config.port = PortFromEnv(env);
  config.listen_address = config::ReadListenAddresses(env).service;
  config.fail_first = env.Int("SAMPLE_HOOK_FAIL_FIRST", 0, 0, 1'000'000'000);
  config.signature_check = SignatureCheckFromEnv(env);
  return config;
}

ChatRelayConfig ChatRelayConfig::FromEnv(const config::Env& env) {
  ChatRelayConfig config;
  config.port = PortFromEnv(env);
  config.listen_address = config::ReadListenAddresses(env).service;
  config.webhook_url = env.RequiredString("WEBHOOK_URL");
  // Parsed as the forwarder's libcurl will parse it, so what starts is what can be posted to.
  if (std::string why; !url::Url::Parse(config.webhook_url, &why)) {
    throw config::ConfigError("WEBHOOK_URL must be an http:// or https:// URL with a host (it " +
                              why + "), got \"" + ScrubWebhookUrl(config.webhook_url) + "\"");
  }
  config.request_timeout =
      Milliseconds(env, "FORWARD_TIMEOUT_MS", config.request_timeout, 100, 600'000);
  config.group_window =
      Milliseconds(env, "FORWARD_GROUP_WINDOW_MS", config.group_window, 0, 60'000);
  config.busy_wait = Milliseconds(env, "FORWARD_BUSY_WAIT_MS", config.busy_wait, 0, 600'000);
  config.max_held = static_cast<std::size_t>(
      env.Int("FORWARD_MAX_HELD", static_cast<long long>(config.max_held), 1, 4096));
  config.signature_check = SignatureCheckFromEnv(env);
  return config;
}

DukeConfig DukeConfig::FromEnv(const config::Env& env) {
  DukeConfig config;
  config.port = PortFromEnv(env);
  config.listen_address = config::ReadListenAddresses(env).service;
  if (auto text = env.Get("DUKE_PERIOD")) {
    config.period = ParseSeconds("DUKE_PERIOD", *text, 0.01, 86400);
  }
  return config;
}

std::optional<SignatureVerifier> SignatureCheckFromEnv(const config::Env& env) {
  const auto secret = env.Get("WEBHOOK_SECRET");
  if (!secret) return std::nullopt;
  auto verifier = SignatureVerifier::FromSecret(*secret);
  if (!verifier) {
    throw config::ConfigError(
        "WEBHOOK_SECRET must be \"whsec_\" followed by standard base64 (the check's "
        "webhook_secret)");
  }
  return verifier;
}

std::string ScrubWebhookUrl(const std::string& url) {
  const auto parsed = url::Url::Parse(url);
  if (!parsed) return "***";
  const bool userinfo = !parsed->user().empty() || !parsed->password().empty();
  std::string scrubbed = parsed->Origin();
  if (userinfo) scrubbed.insert(parsed->scheme().size() + 3, "***@");
  if (parsed->path() != "/" || !parsed->query().empty() || !parsed->fragment().empty()) {
    scrubbed += "/***";
  }
  return scrubbed;
}

std::chrono::nanoseconds ParseSeconds(const std::string& name, const std::string& text,
                                      double min_seconds, double max_seconds) {
  errno = 0;
  char* end = nullptr;
  const double seconds = std::strtod(text.c_str(), &end);
  const bool parsed =
      !text.empty() && end == text.c_str() + text.size() && errno == 0 && std::isfinite(seconds);
  if (!parsed || seconds < min_seconds || seconds > max_seconds) {
    throw config::ConfigError(name + " must be a number of seconds between " +
                              FormatNumber(min_seconds) + " and " + FormatNumber(max_seconds) +
                              " (fractions allowed, e.g. 0.5), got \"" + text + "\"");
  }
  return std::chrono::nanoseconds(static_cast<long long>(std::llround(seconds * 1e9)));
}

}  // namespace lokahi::receivers
