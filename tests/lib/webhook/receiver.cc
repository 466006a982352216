#include "tests/lib/webhook/receiver.h"

#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace lokahi::webhook::testing {

namespace {

// Debian's compiled cpp-httplib listens with a backlog of 5, so a burst of connections (what a
// webhook sender with many transfers in flight makes) would see dropped SYNs and 1 s retransmits.
// Raise the backlog on the listening socket bound to `port`: listen() again updates it.
void RaiseListenBacklog(int port) {
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    int fd = -1;
    try {
      fd = std::stoi(entry.path().filename().string());
    } catch (const std::exception&) {
      continue;
    }
    int listening = 0;
    socklen_t size = sizeof listening;
    sockaddr_in address{};
    socklen_t address_size = sizeof address;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &size) != 0 || !listening) continue;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &address_size) != 0) continue;
    if (address.sin_family == AF_INET && ntohs(address.sin_port) == port) listen(fd, 1024);
  }
}

}  // namespace

struct Receiver::Impl {
  Behavior behavior;
  httplib::Server server;
  std::thread thread;
  int port = 0;
  mutable std::mutex mutex;
  std::vector<ReceivedRequest> requests;  // guarded by mutex
  std::atomic<int> active{0};
  std::atomic<int> max_active{0};

  void Handle(const httplib::Request& req, httplib::Response& res) {
    const int now_active = active.fetch_add(1) + 1;
    int seen = max_active.load();
    while (now_active > seen && !max_active.compare_exchange_weak(seen, now_active)) {
    }
    ReceivedRequest r;
    r.path = req.path;
    r.webhook_id = req.get_header_value("webhook-id");
    r.webhook_timestamp = req.get_header_value("webhook-timestamp");
    r.webhook_signature = req.get_header_value("webhook-signature");
    r.content_type = req.get_header_value("Content-Type");
    r.accept = req.get_header_value("Accept");
    r.user_agent = req.get_header_value("User-Agent");
    r.body = req.body;
    r.arrived_at = std::chrono::steady_clock::now();
    const Answer answer = behavior(r);
    r.answered_status = answer.status;
    res.status = answer.status;
    if (!answer.retry_after.empty()) res.set_header("Retry-After", answer.retry_after);
    if (!answer.location.empty()) res.set_header("Location", answer.location);
    {
      std::lock_guard lock(mutex);
      requests.push_back(std::move(r));
    }
    active.fetch_sub(1);
  }
};

Receiver::Receiver(Behavior behavior) : Receiver(std::move(behavior), 0) {}

Receiver::Receiver(Behavior behavior, int port) : impl_(std::make_unique<Impl>()) {
  impl_->behavior = std::move(behavior);
  // Enough server threads that slow answers and many keep-alive connections do not queue.
  impl_->server.new_task_queue = [] { return new httplib::ThreadPool(320); };
  impl_->server.set_keep_alive_max_count(1000);
  // Idle keep-alive connections hold a server thread; a short timeout lets stop() return soon.
  impl_->server.set_keep_alive_timeout(1);
  auto handler = [impl = impl_.get()](const httplib::Request& req, httplib::Response& res) {
    impl->Handle(req, res);
  };
  impl_->server.Post(R"(/.*)", handler);
  impl_->server.Get(R"(/.*)", handler);
  if (port == 0) {
    impl_->port = impl_->server.bind_to_any_port("127.0.0.1");
  } else {
    impl_->port = impl_->server.bind_to_port("127.0.0.1", port) ? port : -1;
  }
  if (impl_->port <= 0) throw std::runtime_error("test receiver could not bind 127.0.0.1");
  RaiseListenBacklog(impl_->port);
  impl_->thread = std::thread([impl = impl_.get()] { impl->server.listen_after_bind(); });
}

Receiver::~Receiver() {
  impl_->server.stop();
  impl_->thread.join();
}

int Receiver::port() const { return impl_->port; }

std::string Receiver::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(impl_->port) + path;
}

std::vector<ReceivedRequest> Receiver::Requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->requests;
}

size_t Receiver::Count() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->requests.size();
}

std::map<std::string, int> Receiver::DeliveredCounts() const {
  std::map<std::string, int> counts;
  for (const auto& r : Requests()) {
    if (r.answered_status >= 200 && r.answered_status < 300) ++counts[r.webhook_id];
  }
  return counts;
}

int Receiver::MaxConcurrent() const { return impl_->max_active.load(); }

}  // namespace lokahi::webhook::testing
