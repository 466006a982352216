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

// What Begin found for an id.
enum class WebhookIdClaim {
  kNew,         // not seen: the caller handles it, then calls Finish or Release
  kInProgress,  // another request with this id is being handled right now
  kDone,        // handled already: a redelivery
};

// The last `capacity` ids, forgetting the least recently claimed first. Thread-safe.
class RecentWebhookIds {
 public:
  explicit RecentWebhookIds(std::size_t capacity);

  // Remembers `id` as in progress when it is new. An empty id (a sender without Standard
  // Webhooks headers) is always kNew and never remembered.
  WebhookIdClaim Begin(const std::string& id);
  // Marks a begun id as handled: later deliveries with it are kDone.
  void Finish(const std::string& id);
  // Forgets `id`, for a delivery that was begun but then failed, so its retry is handled anew.
  void Release(const std::string& id);

  // Begin and Finish at once, for receivers whose handling cannot fail: true when new.
  bool Claim(const std::string& id);

 private:
  struct Entry {
    std::list<std::string>::iterator position;
    bool done = false;
  };
  const std::size_t capacity_;
  std::mutex mutex_;
  std::list<std::string> order_;                  // most recent first; guarded by mutex_
  std::unordered_map<std::string, Entry> index_;  // guarded by mutex_
};

}  // namespace lokahi::receivers
