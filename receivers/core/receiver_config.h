#pragma once
// Each receiver's configuration, read once from the environment at start. Every FromEnv throws
// config::ConfigError naming the variable when a value is unusable.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "lib/config/env.h"
#include "receivers/core/webhook_signature.h"

namespace lokahi::receivers {

// PORT: where the receiver listens, on LOKAHI_LISTEN_ADDRESS (every IPv4 address, 0.0.0.0, when
// unset). lokahi's sample hook used 9001.
inline constexpr int kDefaultPort = 9001;

struct SampleHookConfig {
  int port = kDefaultPort;
  std::string listen_address;  // LOKAHI_LISTEN_ADDRESS; empty = 0.0.0.0
  // SAMPLE_HOOK_FAIL_FIRST: refuse the first N well-formed deliveries with 500, to exercise a
  // sender's retries. 0 (the default) refuses none.
  long long fail_first = 0;
  // WEBHOOK_SECRET: see SignatureCheckFromEnv.
  std::optional<SignatureVerifier> signature_check;

  static SampleHookConfig FromEnv(const config::Env& env);
};

// discord_hook and slack_hook: where to relay, and how to group. The longest a delivery is held,
// FORWARD_GROUP_WINDOW_MS + FORWARD_BUSY_WAIT_MS + FORWARD_TIMEOUT_MS, is 8 s by default: under
// lokahi's 10 s per-attempt webhook timeout, so the relay answers before the sender gives up.
struct ChatRelayConfig {
  int port = kDefaultPort;
  std::string listen_address;  // LOKAHI_LISTEN_ADDRESS; empty = 0.0.0.0
  std::string webhook_url;     // WEBHOOK_URL, required, http:// or https://; holds a secret token
  std::chrono::milliseconds request_timeout{4000};  // FORWARD_TIMEOUT_MS: one post, in total
  // FORWARD_GROUP_WINDOW_MS: what arrives within this of a group's first delivery is one message.
  std::chrono::milliseconds group_window{1000};
  // FORWARD_BUSY_WAIT_MS: how long, beyond the window, a delivery waits for its group's post.
  std::chrono::milliseconds busy_wait{3000};
  // FORWARD_MAX_HELD: deliveries held at once (the largest group); more get 503 at once.
  std::size_t max_held = 256;
  std::optional<SignatureVerifier> signature_check;  // WEBHOOK_SECRET

  static ChatRelayConfig FromEnv(const config::Env& env);
};

struct DukeConfig {
  int port = kDefaultPort;
  std::string listen_address;  // LOKAHI_LISTEN_ADDRESS; empty = 0.0.0.0
  // DUKE_PERIOD: seconds between flips, fractional allowed ("0.5"); 0.01 to 86400, default 60.
  std::chrono::nanoseconds period = std::chrono::seconds(60);

  static DukeConfig FromEnv(const config::Env& env);
};

// WEBHOOK_SECRET, the check's webhook_secret ("whsec_" + base64): when set, deliveries must carry a
// valid Standard Webhooks signature. Unset: no check.
std::optional<SignatureVerifier> SignatureCheckFromEnv(const config::Env& env);

// A chat webhook URL reduced to what may be logged: scheme, host and port. Discord and Slack put
// the secret token in the path ("https://discord.com/api/webhooks/<id>/<token>"), so the path,
// query and any user:password are replaced: "https://discord.com/***".
std::string ScrubWebhookUrl(const std::string& url);

// Seconds as a decimal number ("60", "0.5") within [min_seconds, max_seconds]; throws
// config::ConfigError naming `name` otherwise.
std::chrono::nanoseconds ParseSeconds(const std::string& name, const std::string& text,
                                      double min_seconds, double max_seconds);

}  // namespace lokahi::receivers
