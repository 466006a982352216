#include "receivers/core/recent_webhook_ids.h"

namespace lokahi::receivers {

RecentWebhookIds::RecentWebhookIds(std::size_t capacity) : capacity_(capacity) {}

bool RecentWebhookIds::Claim(const std::string& id) {
  if (id.empty() || capacity_ == 0) return true;
  std::lock_guard lock(mutex_);
  if (index_.count(id) != 0) return false;
  order_.push_front(id);
  index_[id] = order_.begin();
  if (order_.size() > capacity_) {
    index_.erase(order_.back());
    order_.pop_back();
  }
  return true;
}

void RecentWebhookIds::Release(const std::string& id) {
  std::lock_guard lock(mutex_);
  const auto it = index_.find(id);
  if (it == index_.end()) return;
  order_.erase(it->second);
  index_.erase(it);
}

}  // namespace lokahi::receivers
