#pragma once
// A real HTTP webhook receiver inside the test: cpp-httplib on 127.0.0.1, recording every POST.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace lokahi::webhook::testing {

struct ReceivedRequest {
  std::string path;
  std::string webhook_id;
  std::string webhook_timestamp;
  std::string webhook_signature;
  std::string content_type;
  std::string accept;
  std::string user_agent;
  std::string body;
  std::chrono::steady_clock::time_point arrived_at;
  int answered_status = 0;
};

struct Answer {
  Answer(int status = 200, std::string retry_after = "", std::string location = "")
      : status(status), retry_after(std::move(retry_after)), location(std::move(location)) {}
  int status;
  std::string retry_after;  // header value; empty = none
  std::string location;     // header value; empty = none
};

class Receiver {
 public:
  // Decides each answer; runs on the server's threads and may sleep to act slow.
  using Behavior = std::function<Answer(const ReceivedRequest&)>;

  explicit Receiver(Behavior behavior = [](const ReceivedRequest&) { return Answer{}; });
  // Listens on 127.0.0.1:`port` (e.g. a receiver coming back where it was down).
  Receiver(Behavior behavior, int port);
  ~Receiver();
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;

  int port() const;
  std::string Url(const std::string& path = "/hook") const;
  std::vector<ReceivedRequest> Requests() const;
  size_t Count() const;
  // Answered 2xx, by webhook-id: how many times each.
  std::map<std::string, int> DeliveredCounts() const;
  // The most requests that were being handled at one moment.
  int MaxConcurrent() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lokahi::webhook::testing
