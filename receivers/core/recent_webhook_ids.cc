#include "receivers/core/recent_webhook_ids.h"

namespace lokahi::receivers {

RecentWebhookIds::RecentWebhookIds(std::size_t capacity) : capacity_(capacity) {}

WebhookIdClaim RecentWebhookIds::Begin(const std::string& id) {
  if (id.empty() || capacity_ == 0) return WebhookIdClaim::kNew;
  std::lock_guard lock(mutex_);
  if (const auto it = index_.find(id); it != index_.end()) {
    return it->second.done ? WebhookIdClaim::kDone : WebhookIdClaim::kInProgress;
  }
  order_.push_front(id);
  index_[id] = Entry{order_.begin(), false};
  if (order_.size() > capacity_) {
    index_.erase(order_.back());
    order_.pop_back();
  }
  return WebhookIdClaim::kNew;
}

void RecentWebhookIds::Finish(const std::string& id) {
  std::lock_guard lock(mutex_);
  if (const auto it = index_.find(id); it != index_.end()) it->second.done = true;
}

void RecentWebhookIds::Release(const std::string& id) {
  std::lock_guard lock(mutex_);
  const auto it = index_.find(id);
  if (it == index_.end()) return;
  order_.erase(it->second.position);
  index_.erase(it);
}

bool RecentWebhookIds::Claim(const std::string& id) {
  if (Begin(id) != WebhookIdClaim::kNew) return false;
  Finish(id);
  return true;
}

}  // namespace lokahi::receivers
