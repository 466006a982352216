#include "lib/checks/check.h"

#include <cctype>

namespace lokahi::checks {

std::string_view StateName(State state) {
  switch (state) {
    case State::kInit: return "INIT";
    case State::kUp: return "UP";
    case State::kDown: return "DOWN";
    case State::kError: return "ERROR";
  }
  return "UNKNOWN";
}

std::optional<CheckId> CheckId::Parse(std::string_view text) {
  if (text.size() != 36) return std::nullopt;
  std::string canonical(text);
  for (size_t i = 0; i < canonical.size(); ++i) {
    const bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_position) {
      if (canonical[i] != '-') return std::nullopt;
      continue;
    }
    if (!std::isxdigit(static_cast<unsigned char>(canonical[i]))) return std::nullopt;
    canonical[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(canonical[i])));
  }
  return CheckId(std::move(canonical));
}

void ApplyDefaults(CheckOptions& options) {
  if (options.every_seconds == 0) options.every_seconds = kDefaultEverySeconds;
  if (options.timeout_ms == 0) options.timeout_ms = kDefaultTimeoutMs;
  if (options.failure_threshold == 0) options.failure_threshold = 1;
  if (options.recovery_threshold == 0) options.recovery_threshold = 1;
}

}  // namespace lokahi::checks
