#include "tests/stack/netns_lab.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <mutex>
#include <stdexcept>

namespace lokahi::testing {

namespace {

std::string Shell(const std::string& command, int* exit_code) {
  std::string output;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("popen failed: " + command);
  char buffer[512];
  while (fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
  const int status = pclose(pipe);
  *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return output;
}

// Enters `ns` on the calling thread; returns a descriptor of the namespace it
// left.
int EnterNamespace(const std::string& ns) {
  const int previous = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  const int target = open(("/var/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
  if (previous < 0 || target < 0 || setns(target, CLONE_NEWNET) != 0) {
    const std::string why = strerror(errno);
    if (previous >= 0) close(previous);
    if (target >= 0) close(target);
    throw std::runtime_error("cannot enter network namespace " + ns + ": " + why);
  }
  close(target);
  return previous;
}

void LeaveNamespace(int previous) {
  setns(previous, CLONE_NEWNET);
  close(previous);
}

int ListenLoopback(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || listen(fd, 64) != 0) {
    const std::string why = strerror(errno);
    close(fd);
    throw std::runtime_error("relay cannot listen on 127.0.0.1:" + std::to_string(port) + ": " +
                             why);
  }
  return fd;
}

int ConnectLoopback(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Copies bytes both ways until either side closes.
void Pump(int a, int b) {
  char buffer[16384];
  pollfd fds[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
  while (true) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].revents == 0) continue;
      const ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n <= 0) return;
      for (ssize_t sent = 0; sent < n;) {
        const ssize_t w = write(fds[1 - i].fd, buffer + sent, static_cast<size_t>(n - sent));
        if (w <= 0) return;
        sent += w;
      }
    }
  }
}

}  // namespace

void Ip(const std::string& args) {
  int exit_code = 0;
  const std::string output = Shell("ip " + args, &exit_code);
  if (exit_code != 0) throw std::runtime_error("ip " + args + " failed: " + output);
}

void RunInNamespace(const std::string& ns, const std::function<void()>& fn) {
  std::exception_ptr failure;
  std::thread thread([&] {
    try {
      const int previous = EnterNamespace(ns);
      close(previous);  // the thread ends in the namespace
      fn();
    } catch (...) {
      failure = std::current_exception();
    }
  });
  thread.join();
  if (failure) std::rethrow_exception(failure);
}

// Listens on 127.0.0.1:port inside a namespace and forwards each connection to
// 127.0.0.1:port of the test's namespace.
struct NetnsLab::Relay {
  Relay(const std::string& ns, int port) : port(port) {
    const int previous = EnterNamespace(ns);
    try {
      listener = ListenLoopback(port);
    } catch (...) {
      LeaveNamespace(previous);
      throw;
    }
    LeaveNamespace(previous);
    acceptor = std::thread([this] { Accept(); });
  }
  ~Relay() {
    stopping.store(true);
    shutdown(listener, SHUT_RDWR);
    acceptor.join();
    close(listener);
    std::vector<std::thread> pumps;
    {
      std::lock_guard lock(mutex);
      for (int fd : open_fds) shutdown(fd, SHUT_RDWR);
      pumps = std::move(threads);
    }
    for (auto& t : pumps) t.join();
  }
  void Accept() {
    while (!stopping.load()) {
      const int inside = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
      if (inside < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        return;
      }
      const int outside = ConnectLoopback(port);
      if (outside < 0) {
        close(inside);
        continue;
      }
      std::lock_guard lock(mutex);
      open_fds.push_back(inside);
      open_fds.push_back(outside);
      threads.emplace_back([inside, outside] {
        Pump(inside, outside);
        shutdown(inside, SHUT_RDWR);
        shutdown(outside, SHUT_RDWR);
      });
    }
  }
  int port;
  int listener = -1;
  std::atomic<bool> stopping{false};
  std::thread acceptor;
  std::mutex mutex;
  std::vector<int> open_fds;  // closed when the lab goes (the pumps only shut them down)
  std::vector<std::thread> threads;
};

NetnsLab::NetnsLab(std::string prefix, int workers, std::vector<int> relay_ports)
    : prefix_(std::move(prefix)), workers_(workers) {
  RemoveLeftovers();
  Ip("netns add " + TargetNs());
  Ip("-n " + TargetNs() + " link set lo up");
  for (int i = 0; i < workers_; ++i) {
    const std::string ns = WorkerNs(i), inside = prefix_ + "w" + std::to_string(i),
                      outside = prefix_ + "t" + std::to_string(i);
    const std::string net = "10.200." + std::to_string(i) + ".";
    Ip("netns add " + ns);
    Ip("-n " + ns + " link set lo up");
    Ip("link add " + inside + " netns " + ns + " type veth peer name " + outside + " netns " +
       TargetNs());
    Ip("-n " + ns + " addr add " + net + "1/24 dev " + inside);
    Ip("-n " + TargetNs() + " addr add " + net + "2/24 dev " + outside);
    Ip("-n " + TargetNs() + " link set " + outside + " up");
    RestoreWorker(i);
    for (int port : relay_ports) relays_.push_back(std::make_unique<Relay>(ns, port));
  }
}

NetnsLab::~NetnsLab() {
  relays_.clear();
  RemoveLeftovers();
}

void NetnsLab::RemoveLeftovers() {
  int exit_code = 0;
  const std::string list = Shell("ip netns list", &exit_code);
  std::istringstream lines(list);
  std::string line;
  while (std::getline(lines, line)) {
    const std::string name = line.substr(0, line.find(' '));
    // Deleting a namespace deletes the veth ends in it, and with them their
    // peers.
    if (name.rfind(prefix_ + "-", 0) == 0) Shell("ip netns del " + name, &exit_code);
  }
}

void NetnsLab::AddTargetAddress(int n) {
  Ip("-n " + TargetNs() + " addr add " + TargetAddress(n) + "/32 dev lo");
}

void NetnsLab::CutWorker(int worker) {
  // The far end goes down: the worker's own link stays up with its routes, so
  // what it sends is lost on the way and its probes time out, as when an uplink
  // drops.
  Ip("-n " + TargetNs() + " link set " + prefix_ + "t" + std::to_string(worker) + " down");
}

void NetnsLab::RestoreWorker(int worker) {
  const std::string dev = prefix_ + "w" + std::to_string(worker);
  Ip("-n " + TargetNs() + " link set " + prefix_ + "t" + std::to_string(worker) + " up");
  Ip("-n " + WorkerNs(worker) + " link set " + dev + " up");
  // The route through the link left with it.
  Ip("-n " + WorkerNs(worker) + " route replace 10.201.0.0/24 via 10.200." +
     std::to_string(worker) + ".2 dev " + dev);
}

void NetnsLab::BlackholeFromWorker(int worker, int n) {
  Ip("-n " + WorkerNs(worker) + " route add blackhole " + TargetAddress(n) + "/32");
}

void NetnsLab::UnblackholeFromWorker(int worker, int n) {
  Ip("-n " + WorkerNs(worker) + " route del blackhole " + TargetAddress(n) + "/32");
}

std::vector<std::string> NetnsLab::InWorker(int worker) const {
  return {"/usr/sbin/ip", "netns", "exec", WorkerNs(worker)};
}

struct NamespacedHttpServer::Impl {
  httplib::Server server;
  std::atomic<int> listening_fd{-1};
};

NamespacedHttpServer::NamespacedHttpServer(const std::string& ns, const std::string& address,
                                           int port)
    : impl_(std::make_unique<Impl>()) {
  impl_->server.Get(".*", [this](const httplib::Request&, httplib::Response& response) {
    requests_.fetch_add(1);
    response.status = status_.load();
    response.set_content("ok", "text/plain");
  });
  // cpp-httplib (compiled into Debian's libcpp-httplib) listens with a backlog of 5. A slot's
  // burst of fresh connections from the workers, with the canary rounds, overflowed it on a loaded
  // machine: the kernel dropped the SYN, the probe's retransmission came after TCP's initial 1 s
  // and the probe (timeout 1 s) failed, a false ERROR the lab made. Servers in production listen
  // with hundreds; listen() again on the bound socket sets that backlog.
  impl_->server.set_socket_options([impl = impl_.get()](int fd) {
    httplib::default_socket_options(fd);
    impl->listening_fd.store(fd);
  });
  std::atomic<int> bound{0};  // 1 listening, -1 failed
  thread_ = std::thread([this, ns, address, port, &bound] {
    try {
      close(EnterNamespace(ns));
    } catch (...) {
      bound.store(-1);
      return;
    }
    if (!impl_->server.bind_to_port(address, port) ||
        ::listen(impl_->listening_fd.load(), 1024) != 0) {
      bound.store(-1);
      return;
    }
    bound.store(1);
    impl_->server.listen_after_bind();
  });
  for (int i = 0; i < 500 && bound.load() == 0; ++i) usleep(10000);
  if (bound.load() != 1) {
    Stop();
    throw std::runtime_error("cannot listen on " + address + ":" + std::to_string(port) +
                             " in namespace " + ns);
  }
}

NamespacedHttpServer::~NamespacedHttpServer() { Stop(); }

void NamespacedHttpServer::Stop() {
  impl_->server.stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace lokahi::testing
