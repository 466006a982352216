// Retry-After from a webhook receiver (webhookworker) and from a chat service (discord_hook,
// slack_hook): either nullopt or a wait that is never negative; the relay's is capped at an hour.

#include <chrono>
#include <cstdlib>

#include "lib/webhook/retry_after.h"
#include "receivers/forward/retry_after.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view value = lokahi::fuzz::AsText(data, size);
  // A fixed "now" (2026-12-01T00:00:00Z) keeps a run reproducible.
  const std::chrono::system_clock::time_point now{std::chrono::seconds(1796083200)};
  const auto webhook_wait = lokahi::webhook::ParseRetryAfter(value, now);
  if (webhook_wait && webhook_wait->count() < 0) std::abort();
  const auto relay_wait = lokahi::receivers::ParseRetryAfter(value);
  if (relay_wait && (relay_wait->count() < 0 || *relay_wait > std::chrono::hours(1))) {
    std::abort();
  }
  return 0;
}
