// lokahictl with an https:// server speaks TLS: the Basic credentials never cross the network in
// the clear. A bare TCP listener records what lokahictl sends.

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "tests/support/daemon.h"
#include "tests/support/ports.h"

namespace lokahi {
namespace {

// Accepts one connection on 127.0.0.1 and keeps what arrives in the first few seconds.
class RecordingListener {
 public:
  RecordingListener() {
    fd_ = testing::ListenOnLoopback(&port_, 4);
    thread_ = std::thread([this] { Record(); });
  }
  ~RecordingListener() {
    if (thread_.joinable()) thread_.join();
    close(fd_);
  }
  int port() const { return port_; }
  // Waits for the recording to end.
  const std::string& Received() {
    if (thread_.joinable()) thread_.join();
    return received_;
  }

 private:
  void Record() {
    pollfd listening{fd_, POLLIN, 0};
    if (poll(&listening, 1, 10000) != 1) return;
    const int client = accept(fd_, nullptr, nullptr);
    if (client < 0) return;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    char buffer[4096];
    while (std::chrono::steady_clock::now() < until) {
      pollfd readable{client, POLLIN, 0};
      if (poll(&readable, 1, 200) != 1) continue;
      const ssize_t n = read(client, buffer, sizeof buffer);
      if (n <= 0) break;
      received_.append(buffer, static_cast<size_t>(n));
    }
    close(client);
  }

  int fd_ = -1;
  int port_ = 0;
  std::string received_;
  std::thread thread_;
};

TEST(LokahictlTlsTest, HttpsServerGetsATlsHandshakeAndNoCleartextCredentials) {
  RecordingListener listener;
  const auto result = testing::RunCommand(
      {testing::BinaryPath("lokahictl/lokahictl"), "--server",
       "https://AzureDiamond:s3cretPassw0rd@127.0.0.1:" + std::to_string(listener.port()), "list"},
      {{"HOME", "/nonexistent"}, {"GRPC_VERBOSITY", "NONE"}}, std::chrono::seconds(30));
  const std::string& sent = listener.Received();
  EXPECT_NE(result.exit_code, 0) << result.output;  // nobody answered the handshake
  ASSERT_FALSE(sent.empty());
  EXPECT_EQ(static_cast<unsigned char>(sent[0]), 0x16) << "not a TLS handshake record";
  EXPECT_EQ(sent.find("s3cretPassw0rd"), std::string::npos);
  EXPECT_EQ(sent.find("QXp1cmVEaWFtb25kOnMzY3JldFBhc3N3MHJk"), std::string::npos);  // base64
  EXPECT_EQ(sent.find("PRI * HTTP/2.0"), std::string::npos) << "cleartext HTTP/2";
}

}  // namespace
}  // namespace lokahi
