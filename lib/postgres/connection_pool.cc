#include "lib/postgres/connection_pool.h"

#include "lib/postgres/connection_url.h"

namespace lokahi::postgres {

ConnectionPool::ConnectionPool(std::string url, size_t size)
    : url_(WithDefaultConnectTimeout(url)), size_(size == 0 ? 1 : size) {}

ConnectionPool::Lease::Lease(ConnectionPool& pool, std::unique_ptr<pqxx::connection> connection)
    : pool_(&pool), connection_(std::move(connection)) {}

ConnectionPool::Lease::~Lease() {
  if (connection_) pool_->Release(std::move(connection_));
}

ConnectionPool::Lease ConnectionPool::Acquire(std::chrono::milliseconds wait) {
  std::unique_lock lock(mutex_);
  const bool ready = available_.wait_for(lock, wait, [&] { return !idle_.empty() || open_ < size_; });
  if (!ready) {
    throw PoolExhausted("all " + std::to_string(size_) +
                        " Postgres connections are busy; raise LOKAHI_DB_POOL_SIZE or retry");
  }
  if (!idle_.empty()) {
    auto connection = std::move(idle_.back());
    idle_.pop_back();
    ++leased_;
    return Lease(*this, std::move(connection));
  }
  ++open_;
  ++leased_;
  lock.unlock();
  try {
    return Lease(*this, std::make_unique<pqxx::connection>(url_));
  } catch (...) {
    std::lock_guard relock(mutex_);
    --open_;
    --leased_;
    available_.notify_one();
    throw;
  }
}

void ConnectionPool::Release(std::unique_ptr<pqxx::connection> connection) {
  std::lock_guard lock(mutex_);
  --leased_;
  if (connection->is_open()) {
    idle_.push_back(std::move(connection));
  } else {
    --open_;
  }
  available_.notify_one();
}

size_t ConnectionPool::in_use() const {
  std::lock_guard lock(mutex_);
  return leased_;
}

}  // namespace lokahi::postgres
