// lokahid's one port: connections are told apart by their first bytes and
// handed to gRPC (HTTP/2 preface) or to the HTTP/1.1 side, and every handler
// can learn its caller's address.

#include "lokahid/front/port_acceptor.h"

#include <arpa/inet.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/server_posix.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mutex>
#include <sstream>
#include <thread>

#include "lokahi.grpc.pb.h"
#include "tests/support/ports.h"

namespace lokahi::lokahid {
namespace {

namespace pb = github::xe::lokahi;
using namespace std::chrono_literals;

TEST(ClassifyFirstBytesTest, ThePrefaceIsHttp2AndAnythingElseHttp1) {
  EXPECT_EQ(ClassifyFirstBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), WireProtocol::kHttp2);
  EXPECT_EQ(ClassifyFirstBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00"), WireProtocol::kHttp2);
  EXPECT_EQ(ClassifyFirstBytes("PRI * HT"), std::nullopt) << "cannot tell yet";
  EXPECT_EQ(ClassifyFirstBytes("P"), std::nullopt);
  EXPECT_EQ(ClassifyFirstBytes("POST /twirp/x HTTP/1.1\r\n"), WireProtocol::kHttp1);
  EXPECT_EQ(ClassifyFirstBytes("GET / HTTP/1.1\r\n"), WireProtocol::kHttp1);
  EXPECT_EQ(ClassifyFirstBytes("\x16\x03\x01"), WireProtocol::kHttp1);
}

// Answers Get with the caller's address as the registry knows it, in `url`.
class PeerEchoService final : public pb::Checks::Service {
 public:
  explicit PeerEchoService(ConnectionRegistry& registry) : registry_(registry) {}
  grpc::Status Get(grpc::ServerContext* context, const pb::CheckID*, pb::Check* response) override {
    const auto peer = registry_.PeerOfGrpc(context->peer());
    response->set_id(context->peer());
    if (peer) response->set_url(peer->address + ":" + std::to_string(peer->port));
    return grpc::Status::OK;
  }

 private:
  ConnectionRegistry& registry_;
};

// A minimal HTTP/1.1 side for the spike: reads one request head, answers with
// the peer the acceptor handed over, closes.
class OneShotHttp {
 public:
  void Serve(int fd, const PeerAddress& peer) {
    std::lock_guard lock(mutex_);
    threads_.emplace_back([fd, peer] {
      std::string request;
      char buffer[512];
      pollfd wait{fd, POLLIN, 0};
      while (request.find("\r\n\r\n") == std::string::npos && poll(&wait, 1, 5000) == 1) {
        const ssize_t n = read(fd, buffer, sizeof buffer);
        if (n <= 0) break;
        request.append(buffer, static_cast<size_t>(n));
      }
      const std::string body = "peer " + peer.address;
      const std::string answer =
          "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) +
          "\r\nConnection: close\r\n\r\n" + body;
      [[maybe_unused]] auto written = write(fd, answer.data(), answer.size());
      close(fd);
    });
  }
  ~OneShotHttp() {
    for (auto& thread : threads_) thread.join();
  }

 private:
  std::mutex mutex_;
  std::vector<std::thread> threads_;
};

int ConnectTo(int port, const char* from = nullptr) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (from) {
    sockaddr_in local{};
    local.sin_family = AF_INET;
    inet_pton(AF_INET, from, &local.sin_addr);
    bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local);
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  return fd;
}

// Everything the peer sends until it closes (bounded by `limit`).
std::string ReadUntilClosed(int fd, std::chrono::milliseconds limit = 5s) {
  std::string all;
  char buffer[1024];
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd wait{fd, POLLIN, 0};
    if (left <= 0ms || poll(&wait, 1, static_cast<int>(left.count())) != 1) {
      return all + "<still open>";
    }
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n <= 0) return all;
    all.append(buffer, static_cast<size_t>(n));
  }
}

std::string HttpGet(int port, const char* from = nullptr) {
  const int fd = ConnectTo(port, from);
  const std::string request = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  EXPECT_EQ(write(fd, request.data(), request.size()), static_cast<ssize_t>(request.size()));
  auto answer = ReadUntilClosed(fd);
  close(fd);
  return answer;
}

class PortAcceptorTest : public ::testing::Test {
 protected:
  void Start(PortAcceptorOptions options = {}) {
    grpc::ServerBuilder builder;  // no listening port: connections arrive by descriptor
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    int port = 0;
    const int listen_fd = testing::ListenOnLoopback(&port, 64);
    acceptor_ = std::make_unique<PortAcceptor>(
        listen_fd, options, registry_,
        PortAcceptor::Handoffs{[this](int fd, const PeerAddress&) {
                                 grpc::AddInsecureChannelFromFd(server_.get(), fd);
                               },
                               [this](int fd, const PeerAddress& peer) { http_.Serve(fd, peer); }},
        log_);
    port_ = acceptor_->port();
    ASSERT_EQ(port_, port);
  }

  pb::Check GrpcGet() {
    auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(port_),
                                       grpc::InsecureChannelCredentials());
    auto stub = pb::Checks::NewStub(channel);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 5s);
    pb::Check check;
    const auto status = stub->Get(&context, pb::CheckID(), &check);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return check;
  }

  void TearDown() override {
    acceptor_.reset();
    if (server_) server_->Shutdown(std::chrono::system_clock::now() + 1s);
  }

  std::ostringstream log_text_;
  logging::Logger log_{"test", log_text_};
  ConnectionRegistry registry_;
  PeerEchoService service_{registry_};
  OneShotHttp http_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<PortAcceptor> acceptor_;
  int port_ = 0;
};

TEST_F(PortAcceptorTest, OnePortServesGrpcAndHttp1AndBothKnowTheCallersAddress) {
  Start();
  const auto check = GrpcGet();
  EXPECT_TRUE(check.id().starts_with("fd:"))
      << "gRPC names handed-off peers by descriptor: " << check.id();
  EXPECT_TRUE(check.url().starts_with("127.0.0.1:")) << check.url();
  EXPECT_NE(HttpGet(port_).find("200 OK\r\n"), std::string::npos);
  EXPECT_NE(HttpGet(port_, "127.0.0.2").find("peer 127.0.0.2"), std::string::npos);
  EXPECT_TRUE(GrpcGet().url().starts_with("127.0.0.1:")) << "gRPC still served after HTTP/1.1";
  // Each GrpcGet's channel is gone: gRPC closed those connections, and their
  // entries go too.
  size_t open = 1;
  for (int i = 0; i < 500 && (open = registry_.Sweep()) > 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(open, 0u);
}

TEST_F(PortAcceptorTest, ACallerOnAnIpv6SocketShowsAsADottedQuad) {
  const int listen_fd = socket(AF_INET6, SOCK_STREAM, 0);
  const int zero = 0;
  setsockopt(listen_fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  inet_pton(AF_INET6, "::ffff:127.0.0.1", &address.sin6_addr);
  ASSERT_EQ(bind(listen_fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(listen(listen_fd, 8), 0);
  acceptor_ = std::make_unique<PortAcceptor>(
      listen_fd, PortAcceptorOptions{}, registry_,
      PortAcceptor::Handoffs{[](int fd, const PeerAddress&) { close(fd); },
                             [this](int fd, const PeerAddress& peer) { http_.Serve(fd, peer); }},
      log_);
  EXPECT_NE(HttpGet(acceptor_->port()).find("peer 127.0.0.1"), std::string::npos);
}

TEST_F(PortAcceptorTest, AClientThatSaysNothingIsClosedAtTheFirstBytesDeadline) {
  Start({.max_connections = 100, .first_bytes_deadline = 300ms});
  const int silent = ConnectTo(port_);
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(ReadUntilClosed(silent), "");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
  close(silent);
  const int partial = ConnectTo(port_);  // a prefix of the preface, then nothing
  ASSERT_EQ(write(partial, "PRI * HT", 8), 8);
  EXPECT_EQ(ReadUntilClosed(partial), "");
  close(partial);
}

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

TEST_F(PortAcceptorTest, AClientHoldingAPartialPrefaceDoesNotKeepTheAcceptorBusy) {
  Start({.max_connections = 100, .first_bytes_deadline = 2s});
  const int partial = ConnectTo(port_);
  ASSERT_EQ(write(partial, "PRI * HT", 8), 8);
  const double before = CpuSeconds();
  std::this_thread::sleep_for(1s);  // waiting is the point: the acceptor must sleep too
  EXPECT_LT(CpuSeconds() - before, 0.05) << "the acceptor spun on bytes it had already seen";
  EXPECT_EQ(ReadUntilClosed(partial), "");
  close(partial);
  EXPECT_TRUE(GrpcGet().url().starts_with("127.0.0.1:"));
}

TEST_F(PortAcceptorTest, ConnectionsOverTheBoundAreClosedAndFreedPlacesAreReused) {
  Start({.max_connections = 3, .first_bytes_deadline = 10s});
  std::vector<int> held;
  for (int i = 0; i < 3; ++i) held.push_back(ConnectTo(port_));
  // The acceptor takes them in order; wait until all three are counted.
  for (int i = 0; i < 500 && registry_.size() < 3; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_EQ(registry_.size(), 3u);
  const int over = ConnectTo(port_);
  EXPECT_EQ(ReadUntilClosed(over, 2s), "") << "the fourth connection is closed at once";
  close(over);
  EXPECT_GE(acceptor_->refused(), 1u);
  close(held.back());
  held.pop_back();
  // The acceptor notices the close when it peeks (EOF) and frees the place.
  for (int i = 0; i < 500 && registry_.size() >= 3; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_NE(HttpGet(port_).find("200 OK"), std::string::npos);
  for (int fd : held) close(fd);
}

TEST(ConnectionRegistryTest, AnEntryDiesWithItsSocketEvenWhenItsNumberIsReused) {
  ConnectionRegistry registry;
  int sockets[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sockets), 0);
  registry.Add(sockets[0], {"198.51.100.7", 4000});
  ASSERT_TRUE(registry.PeerOfGrpc("fd:" + std::to_string(sockets[0])));
  EXPECT_EQ(registry.PeerOfGrpc("fd:" + std::to_string(sockets[0]))->address, "198.51.100.7");
  const int number = sockets[0];
  close(sockets[0]);
  EXPECT_FALSE(registry.PeerOfDescriptor(number)) << "closed";
  int again[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, again), 0);
  ASSERT_EQ(again[0], number) << "the kernel reuses the lowest free number";
  EXPECT_FALSE(registry.PeerOfDescriptor(number)) << "a different socket under the same number";
  EXPECT_EQ(registry.Sweep(), 0u);
  close(again[0]);
  close(again[1]);
  close(sockets[1]);
}

TEST(ConnectionRegistryTest, PeersGrpcAcceptedItselfAreParsed) {
  ConnectionRegistry registry;
  EXPECT_EQ(registry.PeerOfGrpc("ipv4:203.0.113.9:5000")->address, "203.0.113.9");
  EXPECT_EQ(registry.PeerOfGrpc("ipv4:203.0.113.9:5000")->port, 5000);
  EXPECT_EQ(registry.PeerOfGrpc("ipv6:[::ffff:203.0.113.9]:80")->address, "203.0.113.9");
  EXPECT_EQ(registry.PeerOfGrpc("ipv6:[2001:db8::1]:80")->address, "2001:db8::1");
  EXPECT_FALSE(registry.PeerOfGrpc("fd:x"));
  EXPECT_FALSE(registry.PeerOfGrpc("unix:/tmp/s"));
}

}  // namespace
}  // namespace lokahi::lokahid

namespace lokahi::lokahid {
namespace {

// The address a listening socket is bound to, as text ("127.0.0.1", "::").
std::string BoundAddress(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return "?";
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in&>(address).sin_addr, text, sizeof text);
  } else {
    inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6&>(address).sin6_addr, text, sizeof text);
  }
  return text;
}

TEST(ListenOnPortTest, WithoutAnAddressItListensOnEveryAddress) {
  const int port = testing::FreePortBelowEphemeral();
  const int fd = ListenOnPort("", port);
  const std::string bound = BoundAddress(fd);
  EXPECT_TRUE(bound == "::" || bound == "0.0.0.0") << bound;
  EXPECT_EQ(BoundPort(fd), port);
  close(fd);
}

TEST(ListenOnPortTest, ListensOnlyOnTheAddressGiven) {
  const int port = testing::FreePortBelowEphemeral();
  const int fd = ListenOnPort("127.0.0.1", port);
  EXPECT_EQ(BoundAddress(fd), "127.0.0.1");
  EXPECT_EQ(BoundPort(fd), port);
  close(fd);
}

TEST(ListenOnPortTest, ABusyPortIsRefusedNamingAddressAndPort) {
  const int port = testing::FreePortBelowEphemeral();
  const int fd = ListenOnPort("127.0.0.1", port);
  try {
    close(ListenOnPort("127.0.0.1", port));
    FAIL() << "bound twice";
  } catch (const std::system_error& e) {
    EXPECT_NE(std::string(e.what()).find("127.0.0.1 port " + std::to_string(port)),
              std::string::npos)
        << e.what();
  }
  close(fd);
}

TEST(ListenOnPortTest, ANameIsNoAddress) {
  EXPECT_THROW(ListenOnPort("localhost", testing::FreePortBelowEphemeral()), std::invalid_argument);
}

}  // namespace
}  // namespace lokahi::lokahid
