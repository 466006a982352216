// Every daemon's and receiver's configuration read from an environment the input describes, one
// "NAME=value" per line. A bad value must be refused with config::ConfigError (which the daemons
// print and exit on); any other exception or a crash is a finding. Describe() prints the effective
// configuration with secrets scrubbed, so it runs on every accepted one.

#include <map>
#include <string>

#include "healthworker/config.h"
#include "lib/config/env.h"
#include "lokahid/config.h"
#include "receivers/core/receiver_config.h"
#include "tests/fuzz/fuzz_input.h"
#include "webhookworker/config.h"

namespace {

std::map<std::string, std::string> ParseLines(std::string_view text) {
  std::map<std::string, std::string> values;
  while (!text.empty()) {
    const size_t newline = text.find('\n');
    const std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    const size_t equals = line.find('=');
    if (equals == std::string_view::npos) continue;
    values[std::string(line.substr(0, equals))] = std::string(line.substr(equals + 1));
  }
  return values;
}

template <typename Read>
void RefusedOnlyWithConfigError(Read read) {
  try {
    read();
  } catch (const lokahi::config::ConfigError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto values = ParseLines(lokahi::fuzz::AsText(data, size));
  const auto env = lokahi::config::Env::FromMap(values);
  RefusedOnlyWithConfigError([&] { lokahi::lokahid::LokahidConfig::FromEnv(env).Describe(); });
  RefusedOnlyWithConfigError(
      [&] { lokahi::healthworker::HealthworkerConfig::FromEnv(env).Describe(); });
  RefusedOnlyWithConfigError(
      [&] { lokahi::webhookworker::WebhookWorkerConfig::FromEnv(env).Describe(); });
  RefusedOnlyWithConfigError([&] { lokahi::receivers::SampleHookConfig::FromEnv(env); });
  RefusedOnlyWithConfigError([&] {
    const auto relay = lokahi::receivers::ChatRelayConfig::FromEnv(env);
    lokahi::receivers::ScrubWebhookUrl(relay.webhook_url);
  });
  RefusedOnlyWithConfigError([&] { lokahi::receivers::DukeConfig::FromEnv(env); });
  for (const auto& [name, value] : values) {
    lokahi::config::ScrubUrl(value);
    lokahi::config::ScrubUserPass(value);
    lokahi::receivers::ScrubWebhookUrl(value);
  }
  return 0;
}
