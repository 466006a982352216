#include "lib/http/server.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>

namespace lokahi::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;

namespace {

// Request line plus header fields; larger ones get 431.
constexpr std::uint32_t kHeaderLimitBytes = 16 * 1024;
// After refusing a request whose body was not read, the layer stops sending and
// reads (and drops) what the client is still sending for this long or this much
// before closing, so the client sees the answer instead of a reset.
constexpr auto kLingerTime = std::chrono::milliseconds(1000);
constexpr std::size_t kLingerBytes = 1 << 20;
constexpr std::size_t kDrainReadBytes = 16 * 1024;
// How long Stop() lets requests in progress finish before it closes their
// connections.
constexpr auto kStopGrace = std::chrono::seconds(5);

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// "::ffff:127.0.0.1" as "127.0.0.1"; anything else unchanged.
std::string NormalizedAddress(const net::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6()).to_string();
  }
  return address.to_string();
}

std::string NormalizedAddress(std::string address) {
  error_code ec;
  const auto parsed = net::ip::make_address(address, ec);
  return ec ? address : NormalizedAddress(parsed);
}

// What the client gets told when its request cannot be parsed.
std::string ParseErrorText(const error_code& ec) {
  if (ec == bhttp::error::bad_content_length) return "malformed Content-Length";
  if (ec == bhttp::error::bad_transfer_encoding) return "malformed Transfer-Encoding";
  if (ec == bhttp::error::bad_method) return "malformed method";
  if (ec == bhttp::error::bad_target) return "malformed request target";
  if (ec == bhttp::error::bad_version) return "malformed HTTP version";
  if (ec == bhttp::error::bad_chunk || ec == bhttp::error::bad_chunk_extension) {
    return "malformed chunked body";
  }
  return "malformed request";
}

bool BodylessStatus(int status) {
  return (status >= 100 && status < 200) || status == 204 || status == 304;
}

}  // namespace

std::optional<std::string_view> Headers::Get(std::string_view name) const {
  for (const auto& [field, value] : fields_) {
    if (EqualsIgnoringCase(field, name)) return std::string_view(value);
  }
  return std::nullopt;
}

void Headers::Add(std::string name, std::string value) {
  fields_.emplace_back(std::move(name), std::move(value));
}

void Headers::Set(std::string name, std::string value) {
  std::erase_if(fields_, [&](const Field& field) { return EqualsIgnoringCase(field.first, name); });
  Add(std::move(name), std::move(value));
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return Lower(x) == Lower(y); });
}

size_t ServerLimits::BodyLimitFor(std::string_view target) const {
  const auto path = target.substr(0, target.find('?'));
  for (const auto& [limited_path, limit] : path_body_limits) {
    if (path == limited_path) return limit;
  }
  return max_body_bytes;
}

Response TextResponse(int status, std::string_view text) {
  Response response;
  response.status = status;
  response.headers.Add("Content-Type", "text/plain; charset=utf-8");
  response.body = std::string(text) + "\n";
  return response;
}

class Connection;

class Server::Impl {
 public:
  Impl(Handler handler, ServerLimits limits, logging::Logger& log)
      : handler_(std::move(handler)),
        limits_(limits),
        log_(log),
        work_(net::make_work_guard(io_)),
        pool_(static_cast<std::size_t>(std::max(1, limits.handler_threads))) {
    const int io_threads = std::max(1, limits.io_threads);
    for (int i = 0; i < io_threads; ++i) threads_.emplace_back([this] { io_.run(); });
  }

  ~Impl() { Stop(); }

  uint16_t Listen(const std::string& address, uint16_t port);
  void Adopt(int fd, std::string peer_address, uint16_t peer_port);
  void Stop();

  size_t open_connections() const { return open_.load(); }

  // For connections.
  const ServerLimits& limits() const { return limits_; }
  logging::Logger& log() { return log_; }
  bool stopping() const { return stopping_.load(); }
  net::thread_pool& pool() { return pool_; }
  Response Handle(const Request& request);
  void Register(const std::shared_ptr<Connection>& connection);
  void Unregister(Connection* connection);

 private:
  void Accept(const std::shared_ptr<tcp::acceptor>& acceptor);
  // Starts serving `socket` unless the server is full or stopping.
  void Serve(tcp::socket socket, std::string peer_address, uint16_t peer_port);

  const Handler handler_;
  const ServerLimits limits_;
  logging::Logger& log_;

  mutable std::mutex mutex_;
  std::condition_variable drained_;
  std::unordered_map<Connection*, std::weak_ptr<Connection>> connections_;  // guarded by mutex_
  std::vector<std::shared_ptr<tcp::acceptor>> acceptors_;                   // guarded by mutex_
  std::atomic<size_t> open_{0};
  std::atomic<bool> stopping_{false};
  bool stopped_ = false;  // guarded by mutex_

  // Destroyed before the members above, so connections destroyed with the
  // io_context's pending operations can still unregister.
  net::io_context io_;
  net::executor_work_guard<net::io_context::executor_type> work_;
  net::thread_pool pool_;
  std::vector<std::thread> threads_;
};

// One client connection: reads a request, hands it to the handler pool, writes
// the answer, and again while the connection is kept alive. Every member is
// used on the socket's strand only.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Server::Impl& server, tcp::socket socket, std::string peer_address, uint16_t peer_port)
      : server_(server),
        stream_(std::move(socket)),
        peer_address_(std::move(peer_address)),
        peer_port_(peer_port) {}

  ~Connection() { server_.Unregister(this); }

  void Start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
  }

  // For Stop(): closes the connection now unless a request is being served;
  // with `force`, even then.
  void Shut(bool force) {
    net::dispatch(stream_.get_executor(), [self = shared_from_this(), force] {
      if (force || self->phase_ == Phase::kIdle || self->phase_ == Phase::kHeader ||
          self->phase_ == Phase::kClosing) {
        self->Close();
      }
    });
  }

 private:
  enum class Phase { kIdle, kHeader, kBody, kHandling, kWriting, kClosing, kClosed };

  // Between requests on a kept-alive connection: waits up to idle_timeout for
  // the next one.
  void AwaitNext() {
    if (server_.stopping()) return Close();
    if (buffer_.size() > 0) return ReadHeader();  // pipelined
    phase_ = Phase::kIdle;
    stream_.expires_after(server_.limits().idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = shared_from_this()](error_code ec, std::size_t n) {
                              self->buffer_.commit(n);
                              if (ec) return self->Close();
                              self->ReadHeader();
                            });
  }

  void ReadHeader() {
    if (phase_ == Phase::kClosed) return;
    phase_ = Phase::kHeader;
    parser_.emplace();
    parser_->header_limit(kHeaderLimitBytes);
    // The layer checks Content-Length against the limit itself after the
    // headers, so that a Content-Encoding is refused (415) whatever the length
    // says.
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    // One deadline for the whole header, not renewed per byte: a client
    // trickling bytes is cut off at the deadline (slowloris).
    stream_.expires_after(server_.limits().header_deadline);
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](error_code ec, std::size_t) { self->OnHeader(ec); });
  }

  void OnHeader(error_code ec) {
    if (ec) return OnReadError(ec, /*in_header=*/true);
    const auto& request = parser_->get();
    const ServerLimits& limits = server_.limits();
    if (request.find(bhttp::field::content_encoding) != request.end()) {
      Info("http_refused", "Content-Encoding");
      return Refuse(415,
                    "request bodies with a Content-Encoding are not "
                    "accepted; send them plain");
    }
    if (auto coding = request.find(bhttp::field::transfer_encoding); coding != request.end()) {
      for (const auto& token : bhttp::token_list(coding->value())) {
        if (!beast::iequals(token, "chunked")) {
          Info("http_refused", "Transfer-Encoding");
          return Refuse(501, "only the chunked Transfer-Encoding is accepted");
        }
      }
    }
    const auto length = parser_->content_length();
    body_limit_ =
        limits.BodyLimitFor(std::string_view(request.target().data(), request.target().size()));
    if ((length && *length > body_limit_) || (parser_->chunked() && body_limit_ == 0)) {
      Info("http_refused", "body too large");
      return Refuse(413, body_limit_ == 0 ? "this endpoint accepts no request body"
                                          : "request body larger than " +
                                                std::to_string(body_limit_) + " bytes");
    }
    if (parser_->is_done()) return Dispatch();
    parser_->body_limit(body_limit_);
    const auto expect = request.find(bhttp::field::expect);
    if (expect != request.end() && beast::iequals(expect->value(), "100-continue")) {
      auto interim = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_,
                                                                          request.version());
      stream_.expires_after(limits.body_deadline);
      bhttp::async_write(stream_, *interim,
                         [self = shared_from_this(), interim](error_code ec, std::size_t) {
                           if (ec) return self->Close();
                           self->ReadBody();
                         });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    phase_ = Phase::kBody;
    stream_.expires_after(server_.limits().body_deadline);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](error_code ec, std::size_t) {
                        if (ec) return self->OnReadError(ec, /*in_header=*/false);
                        self->Dispatch();
                      });
  }

  void OnReadError(const error_code& ec, bool in_header) {
    if (ec == bhttp::error::end_of_stream || ec == net::error::eof ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset ||
        ec == bhttp::error::partial_message) {
      return Close();
    }
    if (ec == beast::error::timeout) {
      Info("http_timeout", in_header ? "request headers not received within the deadline"
                                     : "request body not received within the deadline");
      return Close();  // the stream closed the socket already
    }
    if (ec == bhttp::error::body_limit) {
      Info("http_refused", "body too large");
      return Refuse(413, "request body larger than " + std::to_string(body_limit_) + " bytes");
    }
    if (ec == bhttp::error::header_limit) {
      Info("http_refused", "headers too large");
      return Refuse(431,
                    "request headers larger than " + std::to_string(kHeaderLimitBytes) + " bytes");
    }
    if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category()) {
      const std::string text = ParseErrorText(ec);
      Info("http_refused", text);
      return Refuse(400, text);
    }
    Close();
  }

  void Dispatch() {
    phase_ = Phase::kHandling;
    stream_.expires_never();
    auto message = parser_->release();
    parser_.reset();
    Request request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    const auto question = request.target.find('?');
    request.path = request.target.substr(0, question);
    if (question != std::string::npos) request.query = request.target.substr(question + 1);
    for (const auto& field : message) {
      request.headers.Add(std::string(field.name_string()), std::string(field.value()));
    }
    request.body = std::move(message.body());
    request.peer_address = peer_address_;
    request.peer_port = peer_port_;
    const Answering answering{message.version(), message.keep_alive(),
                              message.method() == bhttp::verb::head};
    net::post(server_.pool(),
              [self = shared_from_this(), request = std::move(request), answering]() mutable {
                Response response = self->server_.Handle(request);
                net::post(self->stream_.get_executor(),
                          [self, response = std::move(response), answering]() mutable {
                            self->Write(std::move(response), answering,
                                        /*body_unread=*/false);
                          });
              });
  }

  // What the answer depends on in the request.
  struct Answering {
    unsigned version = 11;
    bool keep_alive = false;
    bool head = false;
  };

  // Answers a request the layer refuses, then closes: its body (if any) was not
  // read.
  void Refuse(int status, const std::string& text) {
    Answering answering;
    if (parser_ && parser_->is_header_done()) {
      answering.version = parser_->get().version();
      answering.head = parser_->get().method() == bhttp::verb::head;
    }
    parser_.reset();
    Write(TextResponse(status, text), answering, /*body_unread=*/true);
  }

  void Write(Response response, Answering answering, bool body_unread) {
    if (phase_ == Phase::kClosed) return;
    phase_ = Phase::kWriting;
    auto message = std::make_shared<bhttp::response<bhttp::string_body>>();
    message->version(answering.version == 10 ? 10 : 11);
    const bool valid_status = response.status >= 100 && response.status <= 999;
    message->result(static_cast<unsigned>(valid_status ? response.status : 500));
    bool handler_closes = false;
    bool has_content_type = false;
    for (const auto& [name, value] : response.headers) {
      if (EqualsIgnoringCase(name, "Content-Length") ||
          EqualsIgnoringCase(name, "Transfer-Encoding")) {
        continue;
      }
      if (EqualsIgnoringCase(name, "Connection")) {
        handler_closes = handler_closes || beast::iequals(value, "close");
        continue;
      }
      has_content_type = has_content_type || EqualsIgnoringCase(name, "Content-Type");
      message->insert(name, value);
    }
    if (BodylessStatus(message->result_int())) {
      response.body.clear();
    } else {
      if (!has_content_type) message->set(bhttp::field::content_type, "text/plain; charset=utf-8");
      message->content_length(response.body.size());
      if (!answering.head) message->body() = std::move(response.body);
    }
    const bool keep_alive =
        answering.keep_alive && !body_unread && !handler_closes && !server_.stopping();
    message->keep_alive(keep_alive);
    stream_.expires_after(server_.limits().body_deadline);
    bhttp::async_write(
        stream_, *message,
        [self = shared_from_this(), message, keep_alive, body_unread](error_code ec, std::size_t) {
          if (ec) return self->Close();
          if (keep_alive) return self->AwaitNext();
          if (body_unread) return self->Linger();
          self->Close();
        });
  }

  // Stops sending and drops what the client still sends, for a bounded time and
  // size, so that a client still sending a refused body reads the answer
  // instead of a connection reset.
  void Linger() {
    phase_ = Phase::kClosing;
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(kLingerTime);
    Drain();
  }

  void Drain() {
    stream_.async_read_some(buffer_.prepare(kDrainReadBytes),
                            [self = shared_from_this()](error_code ec, std::size_t n) {
                              self->drained_ += n;  // read into the buffer, never committed
                              if (ec || self->drained_ >= kLingerBytes) return self->Close();
                              self->Drain();
                            });
  }

  void Close() {
    if (phase_ == Phase::kClosed) return;
    phase_ = Phase::kClosed;
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  void Info(std::string_view event, std::string_view reason) {
    server_.log().Info(
        event, {{"reason", reason}, {"peer", peer_address_ + ":" + std::to_string(peer_port_)}});
  }

  Server::Impl& server_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  const std::string peer_address_;
  const uint16_t peer_port_;
  Phase phase_ = Phase::kHeader;
  size_t body_limit_ = 0;  // of the request being read (ServerLimits::BodyLimitFor)
  std::size_t drained_ = 0;
};

Response Server::Impl::Handle(const Request& request) {
  try {
    return handler_(request);
  } catch (const std::exception& error) {
    log_.Error("http_handler_failed",
               {{"method", request.method}, {"path", request.path}, {"error", error.what()}});
  }
  return TextResponse(500, "internal error");
}

void Server::Impl::Register(const std::shared_ptr<Connection>& connection) {
  std::lock_guard lock(mutex_);
  connections_.emplace(connection.get(), connection);
}

void Server::Impl::Unregister(Connection* connection) {
  {
    std::lock_guard lock(mutex_);
    connections_.erase(connection);
  }
  open_.fetch_sub(1);
  drained_.notify_all();
}

uint16_t Server::Impl::Listen(const std::string& address, uint16_t port) {
  const std::string where = address + ":" + std::to_string(port);
  error_code ec;
  const auto ip = net::ip::make_address(address, ec);
  if (ec) throw std::runtime_error("cannot listen on " + where + ": not an IP address");
  auto acceptor = std::make_shared<tcp::acceptor>(net::make_strand(io_));
  const tcp::endpoint endpoint(ip, port);
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) acceptor->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  if (!ec) acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("cannot listen on " + where + ": " + ec.message());
  const uint16_t bound = acceptor->local_endpoint().port();
  {
    std::lock_guard lock(mutex_);
    if (stopped_) throw std::runtime_error("cannot listen on " + where + ": server stopped");
    acceptors_.push_back(acceptor);
  }
  net::dispatch(acceptor->get_executor(), [this, acceptor] { Accept(acceptor); });
  return bound;
}

void Server::Impl::Accept(const std::shared_ptr<tcp::acceptor>& acceptor) {
  acceptor->async_accept(
      net::make_strand(io_), [this, acceptor](error_code ec, tcp::socket socket) {
        if (ec == net::error::operation_aborted || !acceptor->is_open()) return;
        if (ec) {
          // Out of descriptors or memory: try again a little later rather than spin.
          log_.Warn("http_accept_failed", {{"error", ec.message()}});
          auto timer = std::make_shared<net::steady_timer>(acceptor->get_executor(),
                                                           std::chrono::milliseconds(100));
          timer->async_wait([this, acceptor, timer](error_code) { Accept(acceptor); });
          return;
        }
        error_code peer_ec;
        const auto peer = socket.remote_endpoint(peer_ec);
        if (!peer_ec) {
          Serve(std::move(socket), NormalizedAddress(peer.address()), peer.port());
        }
        Accept(acceptor);
      });
}

void Server::Impl::Adopt(int fd, std::string peer_address, uint16_t peer_port) {
  sockaddr_storage local{};
  socklen_t length = sizeof local;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) != 0) {
    ::close(fd);
    return;
  }
  tcp::socket socket(net::make_strand(io_));
  error_code ec;
  socket.assign(local.ss_family == AF_INET6 ? tcp::v6() : tcp::v4(), fd, ec);
  if (ec) {
    ::close(fd);
    log_.Warn("http_adopt_failed", {{"error", ec.message()}});
    return;
  }
  Serve(std::move(socket), NormalizedAddress(std::move(peer_address)), peer_port);
}

void Server::Impl::Serve(tcp::socket socket, std::string peer_address, uint16_t peer_port) {
  error_code ignored;
  if (stopping_.load()) {
    socket.close(ignored);
    return;
  }
  if (open_.fetch_add(1) >= limits_.max_connections) {
    open_.fetch_sub(1);
    log_.Info("http_connection_refused",
              {{"reason", "max_connections"},
               {"limit", limits_.max_connections},
               {"peer", peer_address + ":" + std::to_string(peer_port)}});
    socket.close(ignored);
    return;
  }
  socket.set_option(tcp::no_delay(true), ignored);
  auto connection =
      std::make_shared<Connection>(*this, std::move(socket), std::move(peer_address), peer_port);
  Register(connection);
  connection->Start();
}

void Server::Impl::Stop() {
  std::vector<std::shared_ptr<tcp::acceptor>> acceptors;
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    stopped_ = true;
    acceptors.swap(acceptors_);
  }
  stopping_.store(true);
  for (const auto& acceptor : acceptors) {
    net::dispatch(acceptor->get_executor(), [acceptor] {
      error_code ignored;
      acceptor->close(ignored);
    });
  }
  auto shut_all = [this](bool force) {
    std::vector<std::shared_ptr<Connection>> live;
    {
      std::lock_guard lock(mutex_);
      for (const auto& [pointer, weak] : connections_) {
        if (auto connection = weak.lock()) live.push_back(std::move(connection));
      }
    }
    for (const auto& connection : live) connection->Shut(force);
  };
  shut_all(false);
  {
    std::unique_lock lock(mutex_);
    drained_.wait_for(lock, kStopGrace, [this] { return connections_.empty(); });
  }
  shut_all(true);
  // Handlers under way finish; their answers find closed connections.
  pool_.join();
  work_.reset();
  io_.stop();
  for (auto& thread : threads_) thread.join();
  threads_.clear();
}

Server::Server(Handler handler, ServerLimits limits, logging::Logger& log)
    : impl_(std::make_unique<Impl>(std::move(handler), limits, log)) {}

Server::~Server() { Stop(); }

uint16_t Server::Listen(const std::string& address, uint16_t port) {
  return impl_->Listen(address, port);
}

void Server::Adopt(int fd, std::string peer_address, uint16_t peer_port) {
  impl_->Adopt(fd, std::move(peer_address), peer_port);
}

void Server::Stop() { impl_->Stop(); }

size_t Server::open_connections() const { return impl_->open_connections(); }

}  // namespace lokahi::http
