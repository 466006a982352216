#pragma once
// Recognising redeliveries: lokahi sends a delivery again when it did not see our answer, with the
// same Standard Webhooks `webhook-id`. Receivers remember recent ids so a repeat does not post the
// same alert twice.

#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

namespace lokahi::receivers {

// Enough for hours of transitions at any realistic rate; ~100 bytes each.
inline constexpr std::size_t kRememberedWebhookIds = 10000;

// The last `capacity` ids claimed, forgetting the least recently claimed first. Thread-safe.
class RecentWebhookIds {
 public:
  explicit RecentWebhookIds(std::size_t capacity);

  // True, remembering `id`, when it is not remembered already; false for a repeat. An empty id
  // (a sender without Standard Webhooks headers) is always claimable and never remembered.
  bool Claim(const std::string& id);
  // Forgets `id`, for a delivery that was claimed but then refused (so its retry is not taken
  // for a repeat).
  void Release(const std::string& id);

 private:
  const std::size_t capacity_;
  std::mutex mutex_;
  std::list<std::string> order_;  // most recent first; guarded by mutex_
  std::unordered_map<std::string, std::list<std::string>::iterator> index_;  // guarded by mutex_
};

}  // namespace lokahi::receivers
