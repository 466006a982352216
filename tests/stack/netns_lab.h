#pragma once
// Network namespaces for vantage tests (run as root): one namespace holding the
// probe targets and one per healthworker, each worker joined to the targets by
// a veth pair. Targets live on 10.201.0.0/24 (the targets namespace's
// loopback); worker i reaches them through 10.200.i.0/24. Workers still reach
// Postgres and NATS on 127.0.0.1: a relay listens on each given loopback port
// inside every worker namespace and forwards to the same port of the test's own
// namespace, so the control plane survives when a worker's path to the targets
// is cut.
//
// Paths are cut with `ip link set … down` (the whole path of a worker) or a
// blackhole route (one target from one worker): no netem, nft or iptables
// needed.
//
// The constructor first removes whatever a killed run with the same prefix
// left, then creates everything; failure to create throws (the test fails,
// never skips). The destructor removes it all.

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace lokahi::testing {

// Runs `ip` with `args`; throws std::runtime_error with its output when it
// fails.
void Ip(const std::string& args);

class NetnsLab {
 public:
  // `prefix`: 2-5 lowercase letters unique to the test (names of namespaces and
  // links derive from it). `relay_ports`: loopback ports to reach from inside
  // the worker namespaces.
  NetnsLab(std::string prefix, int workers, std::vector<int> relay_ports);
  ~NetnsLab();
  NetnsLab(const NetnsLab&) = delete;
  NetnsLab& operator=(const NetnsLab&) = delete;

  std::string TargetNs() const { return prefix_ + "-t"; }
  std::string WorkerNs(int worker) const { return prefix_ + "-w" + std::to_string(worker); }
  // 10.201.0.<n>: an address on the targets' loopback (n in 1..250); AddTarget
  // adds it.
  static std::string TargetAddress(int n) { return "10.201.0." + std::to_string(n); }
  void AddTargetAddress(int n);

  // The whole path of worker i to the targets: down (the veth's far end: the
  // worker's packets are lost and its probes time out), up again.
  void CutWorker(int worker);
  void RestoreWorker(int worker);
  // One target address unreachable from one worker (blackhole route), and back.
  void BlackholeFromWorker(int worker, int n);
  void UnblackholeFromWorker(int worker, int n);

  // argv prefix that runs a program inside worker i's namespace.
  std::vector<std::string> InWorker(int worker) const;

 private:
  void RemoveLeftovers();
  std::string prefix_;
  int workers_;
  struct Relay;
  std::vector<std::unique_ptr<Relay>> relays_;
};

// Runs `fn` on a thread that has entered network namespace `ns`; sockets it
// creates live there.
void RunInNamespace(const std::string& ns, const std::function<void()>& fn);

// An HTTP server inside a namespace, answering every path with the status
// `status` holds.
class NamespacedHttpServer {
 public:
  NamespacedHttpServer(const std::string& ns, const std::string& address, int port);
  ~NamespacedHttpServer();
  void SetStatus(int status) { status_.store(status); }
  void Stop();
  long long Requests() const { return requests_.load(); }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::atomic<int> status_{200};
  std::atomic<long long> requests_{0};
  std::thread thread_;
};

}  // namespace lokahi::testing
