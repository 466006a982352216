#include "tests/support/ports.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <random>
#include <stdexcept>

namespace lokahi::testing {

namespace {
sockaddr_in LoopbackAddress(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  return addr;
}

// A socket bound to 127.0.0.1 at a port the kernel picks, and that port.
int BindLoopback(int* port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr = LoopbackAddress(0);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    throw std::runtime_error("no free port");
  }
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  *port = ntohs(addr.sin_port);
  return fd;
}
}  // namespace

int FreePort() {
  int port = 0;
  close(BindLoopback(&port));
  return port;
}

int FreePortBelowEphemeral() {
  std::random_device seed;
  std::mt19937 random(seed());
  std::uniform_int_distribution<int> pick(10000, 32767);
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const int port = pick(random);
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    const sockaddr_in addr = LoopbackAddress(port);
    const bool free = bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    if (free && !PortAccepts(port)) return port;
  }
  throw std::runtime_error("no free port below 32768");
}

int ListenOnLoopback(int* port, int backlog) {
  const int fd = BindLoopback(port);
  if (listen(fd, backlog) != 0) {
    close(fd);
    throw std::runtime_error("listen failed");
  }
  return fd;
}

bool PortAccepts(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  const sockaddr_in addr = LoopbackAddress(port);
  const bool ok = connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

}  // namespace lokahi::testing
