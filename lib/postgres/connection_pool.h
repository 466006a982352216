#pragma once
// A bounded pool of Postgres connections. Thread-safe. Connections open lazily up to `size`;
// a connection found broken when returned is dropped and replaced on a later Acquire.

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include <pqxx/connection>

namespace lokahi::postgres {

class PoolExhausted : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ConnectionPool {
 public:
  ConnectionPool(std::string url, size_t size);
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // A borrowed connection, returned to the pool when the lease is destroyed.
  class Lease {
   public:
    Lease(ConnectionPool& pool, std::unique_ptr<pqxx::connection> connection);
    Lease(Lease&&) noexcept = default;
    ~Lease();
    pqxx::connection& operator*() { return *connection_; }
    pqxx::connection* operator->() { return connection_.get(); }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<pqxx::connection> connection_;
  };

  // Waits up to `wait` for a free connection; throws PoolExhausted after that, or
  // pqxx::broken_connection when Postgres cannot be reached.
  Lease Acquire(std::chrono::milliseconds wait = std::chrono::seconds(5));

  size_t size() const { return size_; }
  size_t in_use() const;

 private:
  void Release(std::unique_ptr<pqxx::connection> connection);

  const std::string url_;
  const size_t size_;
  mutable std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;  // guarded by mutex_
  size_t open_ = 0;                                      // guarded by mutex_
  size_t leased_ = 0;                                    // guarded by mutex_
};

}  // namespace lokahi::postgres
