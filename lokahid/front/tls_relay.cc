#include "lokahid/front/tls_relay.h"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <unordered_map>

namespace lokahi::lokahid {

namespace {

std::string OpenSslError() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown error";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

void RequireReadable(const char* variable, const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) {
    throw std::invalid_argument(std::string(variable) + ": cannot read " + path.substr(0, 100) +
                                ": " + std::strerror(errno));
  }
  std::fclose(file);
}

// Prefers http/1.1 over h2: only gRPC clients offer h2 alone.
int SelectAlpn(SSL*, const unsigned char** out, unsigned char* out_length, const unsigned char* in,
               unsigned int in_length, void*) {
  const unsigned char* h2 = nullptr;
  for (unsigned int i = 0; i < in_length;) {
    const unsigned int length = in[i];
    if (length == 0 || i + 1 + length > in_length) break;
    const std::string_view protocol(reinterpret_cast<const char*>(in + i + 1), length);
    if (protocol == "http/1.1") {
      *out = in + i + 1;
      *out_length = static_cast<unsigned char>(length);
      return SSL_TLSEXT_ERR_OK;
    }
    if (protocol == "h2") h2 = in + i + 1;
    i += 1 + length;
  }
  if (!h2) return SSL_TLSEXT_ERR_NOACK;  // no ALPN: the HTTP/1.1 side
  *out = h2;
  *out_length = 2;
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace

SslContext MakeServerTlsContext(const std::string& certificate_path, const std::string& key_path) {
  RequireReadable("LOKAHI_TLS_CERT", certificate_path);
  RequireReadable("LOKAHI_TLS_KEY", key_path);
  ERR_clear_error();
  SslContext context(SSL_CTX_new(TLS_server_method()));
  if (!context) throw std::runtime_error("TLS context: " + OpenSslError());
  SSL_CTX_set_min_proto_version(context.get(), TLS1_2_VERSION);
  SSL_CTX_set_options(context.get(), SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_mode(context.get(), SSL_MODE_ENABLE_PARTIAL_WRITE |
                                      SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                                      SSL_MODE_RELEASE_BUFFERS);
  if (SSL_CTX_use_certificate_chain_file(context.get(), certificate_path.c_str()) != 1) {
    throw std::invalid_argument("LOKAHI_TLS_CERT: " + certificate_path.substr(0, 100) +
                                " is not a PEM certificate chain: " + OpenSslError());
  }
  std::unique_ptr<BIO, decltype(&BIO_free)> key_file(BIO_new_file(key_path.c_str(), "r"), BIO_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      key_file ? PEM_read_bio_PrivateKey(key_file.get(), nullptr, nullptr, nullptr) : nullptr,
      EVP_PKEY_free);
  if (!key) {
    throw std::invalid_argument("LOKAHI_TLS_KEY: " + key_path.substr(0, 100) +
                                " is not a PEM private key: " + OpenSslError());
  }
  if (SSL_CTX_use_PrivateKey(context.get(), key.get()) != 1 ||
      SSL_CTX_check_private_key(context.get()) != 1) {
    ERR_clear_error();
    throw std::invalid_argument("LOKAHI_TLS_KEY: " + key_path.substr(0, 100) +
                                " does not match the certificate in LOKAHI_TLS_CERT " +
                                certificate_path.substr(0, 100));
  }
  SSL_CTX_set_alpn_select_cb(context.get(), SelectAlpn, nullptr);
  return context;
}

struct TlsRelay::Connection {
  int tcp = -1;
  int outer = -1;  // our end of the socketpair, once relaying
  SSL* ssl = nullptr;
  PeerAddress peer;
  std::chrono::steady_clock::time_point deadline;
  bool handshaking = true;
  // Plaintext the client sent, waiting for the server side; and the reverse.
  std::unique_ptr<char[]> to_server;
  size_t to_server_begin = 0, to_server_end = 0;
  std::unique_ptr<char[]> to_client;
  size_t to_client_begin = 0, to_client_end = 0;
  bool client_done = false;  // the client closed (or failed): nothing more to read from it
  bool server_done = false;  // the server side closed its end
  bool server_write_shut = false;
  bool failed = false;
};

TlsRelay::TlsRelay(SslContext context, TlsRelayOptions options, ConnectionRegistry& registry,
                   PortAcceptor::Handoffs handoffs, logging::Logger& log)
    : context_(std::move(context)),
      options_(options),
      registry_(registry),
      handoffs_(std::move(handoffs)),
      log_(log),
      wake_fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
      epoll_fd_(epoll_create1(EPOLL_CLOEXEC)) {
  if (wake_fd_ < 0 || epoll_fd_ < 0) {
    const std::system_error error(errno, std::generic_category(), "TLS relay event loop");
    if (wake_fd_ >= 0) close(wake_fd_);
    if (epoll_fd_ >= 0) close(epoll_fd_);
    throw error;
  }
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.fd = wake_fd_;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &event);
  thread_ = std::thread([this] { Loop(); });
}

TlsRelay::~TlsRelay() {
  stopped_.store(true);
  const uint64_t one = 1;
  [[maybe_unused]] const auto written = write(wake_fd_, &one, sizeof one);
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mutex_);
  for (const auto& [fd, peer] : adopted_) {
    registry_.Remove(fd);
    close(fd);
  }
  close(epoll_fd_);
  close(wake_fd_);
}

void TlsRelay::Adopt(int fd, const PeerAddress& peer) {
  {
    std::lock_guard lock(mutex_);
    adopted_.emplace_back(fd, peer);
  }
  const uint64_t one = 1;
  [[maybe_unused]] const auto written = write(wake_fd_, &one, sizeof one);
}

void TlsRelay::Loop() {
  // A client that resets its connection while we write to it must not kill the
  // process.
  sigset_t pipe;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe, nullptr);

  using Clock = std::chrono::steady_clock;
  std::unordered_map<int, std::unique_ptr<Connection>> by_tcp;
  std::unordered_map<int, Connection*> by_fd;              // TCP and socketpair descriptors
  std::set<std::pair<Clock::time_point, int>> handshakes;  // deadline, TCP descriptor

  auto watch = [&](int fd, Connection* connection) {
    epoll_event event{};
    event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    event.data.fd = fd;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event);
    by_fd[fd] = connection;
  };
  auto finish = [&](Connection& connection) {
    const int tcp = connection.tcp;
    handshakes.erase({connection.deadline, tcp});
    by_fd.erase(tcp);
    if (connection.outer >= 0) by_fd.erase(connection.outer);
    Close(connection);
    by_tcp.erase(tcp);
  };
  auto take_adopted = [&] {
    std::vector<std::pair<int, PeerAddress>> adopted;
    {
      std::lock_guard lock(mutex_);
      adopted.swap(adopted_);
    }
    for (auto& [fd, peer] : adopted) {
      auto connection = std::make_unique<Connection>();
      connection->tcp = fd;
      connection->peer = std::move(peer);
      connection->deadline = Clock::now() + options_.handshake_deadline;
      connection->ssl = SSL_new(context_.get());
      if (!connection->ssl || SSL_set_fd(connection->ssl, fd) != 1) {
        log_.Warn("tls_session_failed", {{"error", OpenSslError()}});
        if (connection->ssl) SSL_free(connection->ssl);
        registry_.Remove(fd);
        close(fd);
        continue;
      }
      SSL_set_accept_state(connection->ssl);
      open_.fetch_add(1);
      handshakes.insert({connection->deadline, fd});
      Connection* raw = connection.get();
      by_tcp[fd] = std::move(connection);
      watch(fd, raw);
      Pump(*raw);
      if (raw->failed) {
        finish(*raw);
      } else if (!raw->handshaking) {
        handshakes.erase({raw->deadline, fd});
        if (raw->outer >= 0) watch(raw->outer, raw);
      }
    }
  };

  epoll_event events[64];
  while (!stopped_.load()) {
    int timeout_ms = 1000;
    if (!handshakes.empty()) {
      const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
          handshakes.begin()->first - Clock::now());
      timeout_ms = static_cast<int>(std::clamp<int64_t>(wait.count() + 1, 0, 1000));
    }
    const int ready = epoll_wait(epoll_fd_, events, 64, timeout_ms);
    if (ready < 0 && errno != EINTR) {
      log_.Error("tls_relay_failed", {{"error", std::strerror(errno)}});
      break;
    }
    for (int i = 0; i < ready; ++i) {
      const int fd = events[i].data.fd;
      if (fd == wake_fd_) {
        uint64_t count;
        [[maybe_unused]] const auto read_bytes = read(wake_fd_, &count, sizeof count);
        take_adopted();
        continue;
      }
      auto found = by_fd.find(fd);
      if (found == by_fd.end()) continue;
      Connection& connection = *found->second;
      const bool was_handshaking = connection.handshaking;
      Pump(connection);
      if (connection.failed) {
        finish(connection);
      } else if (was_handshaking && !connection.handshaking) {
        handshakes.erase({connection.deadline, connection.tcp});
        watch(connection.outer, &connection);
      }
    }
    const auto now = Clock::now();
    while (!handshakes.empty() && handshakes.begin()->first <= now) {
      const int fd = handshakes.begin()->second;
      handshakes.erase(handshakes.begin());
      auto found = by_tcp.find(fd);
      if (found != by_tcp.end()) finish(*found->second);
    }
  }
  for (auto& [fd, connection] : by_tcp) Close(*connection);
}

bool TlsRelay::FinishHandshake(Connection& connection) {
  const unsigned char* protocol = nullptr;
  unsigned int length = 0;
  SSL_get0_alpn_selected(connection.ssl, &protocol, &length);
  const bool http2 =
      length == 2 && std::string_view(reinterpret_cast<const char*>(protocol), 2) == "h2";
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair) != 0) {
    log_.Warn("tls_relay_socketpair_failed", {{"error", std::strerror(errno)}});
    return false;
  }
  connection.outer = pair[0];
  connection.to_server = std::make_unique<char[]>(options_.buffer_bytes);
  connection.to_client = std::make_unique<char[]>(options_.buffer_bytes);
  // The server's end now stands for this client: one registry entry per
  // connection, under the client's address.
  registry_.Remove(connection.tcp);
  registry_.Add(pair[1], connection.peer);
  connection.handshaking = false;
  (http2 ? handoffs_.http2 : handoffs_.http1)(pair[1], connection.peer);
  return true;
}

void TlsRelay::Pump(Connection& connection) {
  if (connection.handshaking) {
    ERR_clear_error();
    const int result = SSL_do_handshake(connection.ssl);
    if (result != 1) {
      const int error = SSL_get_error(connection.ssl, result);
      if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return;
      // A client's mistake (a plaintext or scanning client, an untrusted
      // certificate): not ours.
      log_.Info("tls_handshake_failed",
                {{"peer", connection.peer.address}, {"error", OpenSslError()}});
      connection.failed = true;
      return;
    }
    if (!FinishHandshake(connection)) {
      connection.failed = true;
      return;
    }
  }
  const size_t capacity = options_.buffer_bytes;
  for (bool progress = true; progress && !connection.failed;) {
    progress = false;
    // Client -> server side.
    if (!connection.client_done && connection.to_server_end < capacity) {
      ERR_clear_error();
      const int n = SSL_read(connection.ssl, connection.to_server.get() + connection.to_server_end,
                             static_cast<int>(capacity - connection.to_server_end));
      if (n > 0) {
        connection.to_server_end += static_cast<size_t>(n);
        progress = true;
      } else {
        const int error = SSL_get_error(connection.ssl, n);
        if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
          connection.client_done = true;
          ERR_clear_error();
          progress = true;
        }
      }
    }
    if (connection.to_server_begin < connection.to_server_end) {
      const ssize_t n =
          send(connection.outer, connection.to_server.get() + connection.to_server_begin,
               connection.to_server_end - connection.to_server_begin, MSG_NOSIGNAL);
      if (n > 0) {
        connection.to_server_begin += static_cast<size_t>(n);
        if (connection.to_server_begin == connection.to_server_end) {
          connection.to_server_begin = connection.to_server_end = 0;
        }
        progress = true;
      } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        connection.failed = true;  // the server side is gone
        return;
      }
    }
    if (connection.client_done && connection.to_server_begin == connection.to_server_end &&
        !connection.server_write_shut) {
      shutdown(connection.outer, SHUT_WR);
      connection.server_write_shut = true;
    }
    // Server side -> client.
    if (!connection.server_done && connection.to_client_end < capacity) {
      const ssize_t n =
          recv(connection.outer, connection.to_client.get() + connection.to_client_end,
               capacity - connection.to_client_end, 0);
      if (n > 0) {
        connection.to_client_end += static_cast<size_t>(n);
        progress = true;
      } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        connection.server_done = true;
        progress = true;
      }
    }
    if (connection.to_client_begin < connection.to_client_end) {
      if (connection.client_done) {
        connection.to_client_begin = connection.to_client_end = 0;  // nobody left to read it
      } else {
        ERR_clear_error();
        const int n =
            SSL_write(connection.ssl, connection.to_client.get() + connection.to_client_begin,
                      static_cast<int>(connection.to_client_end - connection.to_client_begin));
        if (n > 0) {
          connection.to_client_begin += static_cast<size_t>(n);
          if (connection.to_client_begin == connection.to_client_end) {
            connection.to_client_begin = connection.to_client_end = 0;
          }
          progress = true;
        } else {
          const int error = SSL_get_error(connection.ssl, n);
          if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
            ERR_clear_error();
            connection.failed = true;  // the client is gone
            return;
          }
        }
      }
    }
  }
  if (connection.server_done && connection.to_client_begin == connection.to_client_end) {
    if (!connection.client_done) SSL_shutdown(connection.ssl);  // close_notify, best effort
    connection.failed = true;                                   // done: close both ends
  }
}

void TlsRelay::Close(Connection& connection) {
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, connection.tcp, nullptr);
  if (connection.handshaking) registry_.Remove(connection.tcp);
  SSL_free(connection.ssl);
  connection.ssl = nullptr;
  close(connection.tcp);
  if (connection.outer >= 0) {
    epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, connection.outer, nullptr);
    close(connection.outer);
  }
  open_.fetch_sub(1);
}

}  // namespace lokahi::lokahid
