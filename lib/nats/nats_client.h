#pragma once
// RAII ownership of the NATS C client (cnats). C headers stay out of users' includes.
//
// Thread-safety: Connection's methods may be called from any thread (cnats locks internally).
// Message handlers run on cnats' delivery thread for their subscription; they must not throw
// (any exception is caught and logged to stderr).

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

struct __natsConnection;
struct __natsSubscription;

namespace lokahi::nats {

class NatsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Initialises the library on construction and releases its threads on destruction. Declare one
// first in main(), before any Connection.
class Library {
 public:
  Library();
  ~Library();
  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;
};

struct Message {
  std::string subject;
  std::string reply;  // empty when no reply is expected
  std::string data;
};

class Connection;

// A live subscription; unsubscribes when destroyed.
class Subscription {
 public:
  ~Subscription();
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;
  // Stops delivery after messages already received are handled; waits up to `timeout`.
  void Drain(std::chrono::milliseconds timeout);
  // Messages dropped because the handler fell behind the pending limit.
  long long Dropped() const;

 private:
  friend class Connection;
  struct State;
  explicit Subscription(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

struct ConnectionOptions {
  std::string url;
  std::string name;  // shows in the server's connection list
  // Connect in the background when the server is not up yet, instead of failing.
  bool retry_on_failed_connect = true;
};

class Connection {
 public:
  using Handler = std::function<void(Message&&)>;

  // Throws NatsError when the URL is malformed, or when the server is unreachable and
  // retry_on_failed_connect is false.
  explicit Connection(const ConnectionOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Buffered: returns once the message is queued to the socket writer. Throws NatsError.
  void Publish(std::string_view subject, std::string_view data);
  // Blocks until the server has seen everything published so far, or throws after `timeout`.
  void Flush(std::chrono::milliseconds timeout);
  // Nullopt on timeout or when no responder is subscribed.
  std::optional<std::string> Request(std::string_view subject, std::string_view data,
                                     std::chrono::milliseconds timeout);

  // queue_group empty = every subscriber receives each message. `pending_limit` bounds messages
  // held for a slow handler; beyond it the server-side slow-consumer policy drops them.
  std::unique_ptr<Subscription> Subscribe(std::string_view subject, std::string_view queue_group,
                                          Handler handler, int pending_limit = 65536);

  bool Connected() const;
  long long Reconnects() const;

 private:
  struct Callbacks;
  __natsConnection* connection_ = nullptr;
  std::unique_ptr<Callbacks> callbacks_;
};

}  // namespace lokahi::nats
