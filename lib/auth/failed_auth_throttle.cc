#include "lib/auth/failed_auth_throttle.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace lokahi::auth {

FailedAuthThrottle::FailedAuthThrottle(FailedAuthThrottleOptions options, Clock clock)
    : options_(options), clock_(std::move(clock)) {}

std::string FailedAuthThrottle::KeyOf(std::string_view address) {
  if (address.find(':') == std::string_view::npos) return std::string(address);
  std::array<unsigned char, 16> bytes{};
  if (inet_pton(AF_INET6, std::string(address).c_str(), bytes.data()) != 1) {
    return std::string(address);
  }
  std::fill(bytes.begin() + 8, bytes.end(), 0);
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(AF_INET6, bytes.data(), text, sizeof text);
  return std::string(text) + "/64";
}

std::optional<std::chrono::seconds> FailedAuthThrottle::Refusal(std::string_view address) {
  if (options_.max_failures <= 0) return std::nullopt;
  const auto now = clock_();
  std::lock_guard lock(mutex_);
  const auto it = windows_.find(KeyOf(address));
  if (it == windows_.end() || it->second.failures < options_.max_failures) return std::nullopt;
  const auto ends = it->second.start + options_.window;
  if (ends <= now) return std::nullopt;
  return std::max(std::chrono::seconds(1), std::chrono::ceil<std::chrono::seconds>(ends - now));
}

void FailedAuthThrottle::RecordFailure(std::string_view address) {
  if (options_.max_failures <= 0) return;
  const auto now = clock_();
  std::lock_guard lock(mutex_);
  auto key = KeyOf(address);
  auto it = windows_.find(key);
  if (it == windows_.end()) {
    MakeRoomLocked(now);
    it = windows_.emplace(std::move(key), Window{now, 0}).first;
  } else if (it->second.start + options_.window <= now) {
    it->second = Window{now, 0};
  }
  it->second.failures = std::min(it->second.failures + 1, options_.max_failures);
}

void FailedAuthThrottle::MakeRoomLocked(std::chrono::steady_clock::time_point now) {
  if (windows_.size() < options_.max_tracked) return;
  std::erase_if(windows_,
                [&](const auto& item) { return item.second.start + options_.window <= now; });
  while (windows_.size() >= options_.max_tracked && !windows_.empty()) {
    const auto oldest = std::min_element(
        windows_.begin(), windows_.end(),
        [](const auto& a, const auto& b) { return a.second.start < b.second.start; });
    windows_.erase(oldest);
  }
}

}  // namespace lokahi::auth
