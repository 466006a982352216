#include "tests/support/raw_http.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <fstream>
#include <stdexcept>
#include <vector>

namespace lokahi::testing {
namespace {

using Clock = std::chrono::steady_clock;

int ConnectLoopback(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
  }
  const int yes = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

int MillisecondsLeft(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::max<long long>(0, left.count()));
}

std::string Lowered(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// Parses one whole response at the front of `buffer` and removes it; nullopt
// when incomplete.
std::optional<RawResponse> TakeResponse(std::string& buffer, bool head_request) {
  const auto header_end = buffer.find("\r\n\r\n");
  if (header_end == std::string::npos) return std::nullopt;
  RawResponse response;
  std::size_t line_end = buffer.find("\r\n");
  const std::string status_line = buffer.substr(0, line_end);
  const auto space = status_line.find(' ');
  response.version = status_line.substr(0, space);
  response.status = std::atoi(status_line.c_str() + space + 1);
  std::size_t position = line_end + 2;
  while (position < header_end) {
    line_end = buffer.find("\r\n", position);
    const std::string line = buffer.substr(position, line_end - position);
    const auto colon = line.find(':');
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    response.headers[Lowered(line.substr(0, colon))] = value;
    position = line_end + 2;
  }
  std::size_t length = 0;
  if (!head_request && response.headers.count("content-length")) {
    length = std::stoul(response.headers["content-length"]);
  }
  if (buffer.size() < header_end + 4 + length) return std::nullopt;
  response.body = buffer.substr(header_end + 4, length);
  buffer.erase(0, header_end + 4 + length);
  return response;
}

}  // namespace

std::string RawResponse::Header(const std::string& lower_name) const {
  const auto found = headers.find(lower_name);
  return found == headers.end() ? "" : found->second;
}

RawConnection::RawConnection(int port) : fd_(ConnectLoopback(port)) {}

RawConnection::~RawConnection() { close(fd_); }

bool RawConnection::Send(std::string_view bytes) {
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (!bytes.empty()) {
    const ssize_t sent = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(sent));
      continue;
    }
    if (sent < 0 && errno != EAGAIN && errno != EINTR) return false;
    pollfd waiting{fd_, POLLOUT, 0};
    if (poll(&waiting, 1, MillisecondsLeft(deadline)) <= 0) return false;
  }
  return true;
}

bool RawConnection::Receive(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    char chunk[16384];
    const ssize_t got = recv(fd_, chunk, sizeof chunk, 0);
    if (got > 0) {
      received_.append(chunk, static_cast<std::size_t>(got));
      return true;
    }
    if (got == 0 || (errno != EAGAIN && errno != EINTR)) return false;
    pollfd waiting{fd_, POLLIN, 0};
    if (poll(&waiting, 1, MillisecondsLeft(deadline)) <= 0) return false;
  }
}

std::optional<RawResponse> RawConnection::ReadResponse(std::chrono::milliseconds timeout,
                                                       bool head_request) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (auto response = TakeResponse(received_, head_request)) return response;
    // Reads at least once, even with no time left, so a zero timeout still sees what arrived.
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (!Receive(std::max(left, std::chrono::milliseconds(0)))) return std::nullopt;
    if (Clock::now() >= deadline) return TakeResponse(received_, head_request);
  }
}

bool RawConnection::ClosedWithin(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    char chunk[16384];
    const ssize_t got = recv(fd_, chunk, sizeof chunk, 0);
    if (got == 0) return true;
    if (got < 0 && errno != EAGAIN && errno != EINTR) return true;  // reset
    if (got > 0) continue;
    pollfd waiting{fd_, POLLIN, 0};
    if (poll(&waiting, 1, MillisecondsLeft(deadline)) <= 0) return false;
  }
}

StreamedRequest SendWhileWatching(int port, const std::string& head, std::string_view body,
                                  std::size_t body_bytes, bool chunked,
                                  std::chrono::milliseconds timeout) {
  StreamedRequest result;
  RawConnection connection(port);
  if (!connection.Send(head)) return result;
  const auto deadline = Clock::now() + timeout;
  // The next bytes to send: a chunk header, body bytes, or the chunk's CRLF.
  std::string pending;
  bool finished = body_bytes == 0;
  if (chunked && finished) pending = "0\r\n\r\n";
  while (Clock::now() < deadline) {
    if (auto response = connection.ReadResponse(std::chrono::milliseconds(0))) {
      result.response = std::move(response);
      return result;
    }
    if (pending.empty() && !finished) {
      const std::size_t piece = std::min(body.size(), body_bytes - result.body_bytes_sent);
      const std::size_t offset = result.body_bytes_sent % body.size();
      const std::size_t take = std::min(piece, body.size() - offset);
      std::string data(body.substr(offset, take));
      result.body_bytes_sent += take;
      finished = result.body_bytes_sent >= body_bytes;
      if (chunked) {
        char size[32];
        snprintf(size, sizeof size, "%zx\r\n", take);
        pending = size + data + "\r\n" + (finished ? "0\r\n\r\n" : "");
      } else {
        pending = std::move(data);
      }
    }
    if (pending.empty()) {
      // All sent: wait for the answer.
      result.response = connection.ReadResponse(
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
      return result;
    }
    if (!connection.Send(pending)) {
      // The server stopped reading and closed: its answer may be waiting.
      result.response = connection.ReadResponse(std::chrono::milliseconds(2000));
      return result;
    }
    pending.clear();
  }
  return result;
}

std::string GzipBomb(int copies) {
  const std::vector<unsigned char> zeros(10 << 20, 0);
  z_stream stream{};
  if (deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
  std::string member(deflateBound(&stream, zeros.size()), '\0');
  stream.next_in = const_cast<unsigned char*>(zeros.data());
  stream.avail_in = static_cast<uInt>(zeros.size());
  stream.next_out = reinterpret_cast<unsigned char*>(member.data());
  stream.avail_out = static_cast<uInt>(member.size());
  const int status = deflate(&stream, Z_FINISH);
  member.resize(stream.total_out);
  deflateEnd(&stream);
  if (status != Z_STREAM_END) throw std::runtime_error("deflate failed");
  std::string bomb;
  for (int i = 0; i < copies; ++i) bomb += member;
  return bomb;
}

BodyAttackStatuses AttackWithBodies(int port, const std::string& request_head) {
  using std::chrono::seconds;
  constexpr std::size_t kHugeBody = std::size_t{300} << 20;
  BodyAttackStatuses statuses;
  auto status_of = [](const StreamedRequest& sent) {
    return sent.response ? sent.response->status : 0;
  };
  const std::string bomb = GzipBomb(100);
  statuses.gzip_bomb =
      status_of(SendWhileWatching(port,
                                  request_head + "Content-Encoding: gzip\r\nContent-Length: " +
                                      std::to_string(bomb.size()) + "\r\n\r\n",
                                  bomb, bomb.size(), /*chunked=*/false, seconds(20)));
  const std::string filler(64 * 1024, 'x');
  statuses.huge_length = status_of(SendWhileWatching(
      port, request_head + "Content-Length: " + std::to_string(kHugeBody) + "\r\n\r\n", filler,
      kHugeBody, /*chunked=*/false, seconds(60)));
  statuses.huge_chunked =
      status_of(SendWhileWatching(port, request_head + "Transfer-Encoding: chunked\r\n\r\n", filler,
                                  kHugeBody, /*chunked=*/true, seconds(60)));
  return statuses;
}

int HealthzAnsweredWhileTrickling(int port, int probes) {
  using std::chrono::seconds;
  RawConnection slow1(port), slow2(port);
  if (!slow1.Send("POST / HTTP/1.1\r\n") || !slow2.Send("POST / HTTP/1.1\r\n")) return 0;
  int answered_in_time = 0;
  for (int i = 0; i < probes; ++i) {
    if (!slow1.Send("X") || !slow2.Send("X")) return answered_in_time;
    RawConnection probe(port);
    const auto started = Clock::now();
    if (!probe.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")) continue;
    const auto response = probe.ReadResponse(std::chrono::milliseconds(1000));
    if (response && response->status == 200 && Clock::now() - started < seconds(1)) {
      ++answered_in_time;
    }
  }
  return answered_in_time;
}

long PeakRssKib(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

}  // namespace lokahi::testing
