#pragma once
// RAII ownership of the NATS C client (cnats). C headers stay out of users' includes.
//
// Thread-safety: Connection's methods may be called from any thread (cnats locks internally).
// Message handlers run on cnats' delivery thread for their subscription; they must not throw
// (any exception is caught and logged as event=handler_failed).

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "lib/logging/logger.h"

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
  // The server's "503 no responders" status for a request published with this reply subject.
  bool no_responders = false;
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

// NATS_URL as users write it: one URL or several separated by commas, each optionally carrying
// credentials ("nats://user:password@host:4222", "nats://token@host:4222").
struct ServerList {
  std::vector<std::string> urls;  // as given, credentials kept (cnats reads them from each URL)
  // The first credentials found, also used for servers the cluster announces (those URLs carry
  // none). Token when the userinfo has no ':'.
  std::string user, password, token;
};
// Throws NatsError naming the problem (empty list, empty entry).
ServerList ParseServerList(std::string_view nats_url);

struct ConnectionOptions {
  std::string url;   // NATS_URL: see ServerList
  std::string name;  // shows in the server's connection list
  // Connect in the background when no server is up yet: the constructor returns at once,
  // Connected() is false until a server answers, publishes wait in the reconnect buffer.
  bool retry_on_failed_connect = true;
  // Where a handler's exception is logged; must outlive the connection. nullptr: a logger of
  // its own on stderr, component "nats".
  logging::Logger* log = nullptr;
};

class Connection {
 public:
  using Handler = std::function<void(Message&&)>;

  // Throws NatsError when the URL is malformed, or when no server is reachable and
  // retry_on_failed_connect is false. Never blocks waiting for a server otherwise.
  explicit Connection(const ConnectionOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Buffered: returns once the message is queued to the socket writer. Throws NatsError.
  void Publish(std::string_view subject, std::string_view data);
  // Blocks until the server has seen everything published so far, or throws after `timeout`.
  void Flush(std::chrono::milliseconds timeout);
  // Nullopt on timeout, when no responder is subscribed, and at once while disconnected (a
  // request buffered for later would only time out).
  std::optional<std::string> Request(std::string_view subject, std::string_view data,
                                     std::chrono::milliseconds timeout);

  // queue_group empty = every subscriber receives each message. `pending_limit` bounds messages
  // held for a slow handler; beyond it the server-side slow-consumer policy drops them.
  std::unique_ptr<Subscription> Subscribe(std::string_view subject, std::string_view queue_group,
                                          Handler handler, int pending_limit = 65536);

  // False while connecting, reconnecting, or closed. cnats closes a connection for good when a
  // server refuses its credentials twice: then Subscribe returns a subscription that receives
  // nothing, Publish throws, and LastError() says why; the daemon reports itself unready until
  // restarted with a NATS_URL the server accepts.
  bool Connected() const;
  bool Closed() const;
  // Why the connection last failed (e.g. "Authorization Violation"), or empty.
  std::string LastError() const;
  // The URL of the server in use, credentials scrubbed; empty while disconnected.
  std::string ConnectedUrl() const;
  long long Reconnects() const;

  // Publishes with a reply subject: when nothing is subscribed to `subject`, the server answers
  // on `reply` with a no_responders message. Throws NatsError.
  void PublishRequest(std::string_view subject, std::string_view reply, std::string_view data);
  // A new unique subject to receive replies on.
  static std::string NewInbox();
  // The largest payload the server accepts, from its INFO; 0 before the first connect.
  long long MaxPayload() const;

 private:
  struct Callbacks;
  std::unique_ptr<logging::Logger> own_log_;
  logging::Logger* log_;
  __natsConnection* connection_ = nullptr;
  std::unique_ptr<Callbacks> callbacks_;
};

}  // namespace lokahi::nats
