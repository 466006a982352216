#include "lib/nats/nats_client.h"

#include <nats/nats.h>

#include <algorithm>
#include <iostream>

#include "lib/config/env.h"

namespace lokahi::nats {
namespace {

void Check(natsStatus status, const std::string& what) {
  if (status == NATS_OK) return;
  // Read the last error at once: later cnats calls overwrite it.
  const char* detail = nats_GetLastError(nullptr);
  throw NatsError(what + ": " + natsStatus_GetText(status) +
                  (detail && *detail ? std::string(" (") + detail + ")" : ""));
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The userinfo of "scheme://userinfo@host:port/…", or empty.
std::string_view UserInfo(std::string_view url) {
  const auto scheme_end = url.find("://");
  const size_t start = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  const auto end = std::min(url.find_first_of("/?#", start), url.size());
  const auto at = url.substr(start, end - start).rfind('@');
  return at == std::string_view::npos ? std::string_view() : url.substr(start, at);
}

struct OptionsDeleter {
  void operator()(natsOptions* options) const noexcept { natsOptions_Destroy(options); }
};

}  // namespace

ServerList ParseServerList(std::string_view nats_url) {
  ServerList list;
  size_t start = 0;
  while (true) {
    const auto comma = nats_url.find(',', start);
    const auto entry = Trim(nats_url.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (entry.empty()) {
      throw NatsError(
          "NATS_URL must list one or more servers separated by commas, e.g. "
          "nats://127.0.0.1:4222,nats://127.0.0.1:4223; found an empty entry");
    }
    list.urls.emplace_back(entry);
    const auto userinfo = UserInfo(entry);
    if (!userinfo.empty() && list.user.empty() && list.token.empty()) {
      const auto colon = userinfo.find(':');
      if (colon == std::string_view::npos) {
        list.token = std::string(userinfo);
      } else {
        list.user = std::string(userinfo.substr(0, colon));
        list.password = std::string(userinfo.substr(colon + 1));
      }
    }
    if (comma == std::string_view::npos) return list;
    start = comma + 1;
  }
}

Library::Library() { Check(nats_Open(-1), "initialising the NATS client library"); }
Library::~Library() { nats_Close(); }

struct Connection::Callbacks {
  std::atomic<long long> reconnects{0};
  static void OnReconnected(natsConnection*, void* closure) noexcept {
    static_cast<Callbacks*>(closure)->reconnects.fetch_add(1);
  }
  // Its presence is what makes natsConnection_Connect return NATS_NOT_YET_CONNECTED instead of
  // blocking until a server answers; Connected() reads the state from the connection itself.
  static void OnConnected(natsConnection*, void*) noexcept {}
};

struct Subscription::State {
  natsSubscription* subscription = nullptr;
  Connection::Handler handler;
  logging::Logger* log = nullptr;
  static void OnMessage(natsConnection*, natsSubscription*, natsMsg* raw, void* closure) noexcept {
    auto* state = static_cast<State*>(closure);
    Message message;
    message.subject = natsMsg_GetSubject(raw);
    if (const char* reply = natsMsg_GetReply(raw)) message.reply = reply;
    message.data.assign(natsMsg_GetData(raw), natsMsg_GetDataLength(raw));
    message.no_responders = natsMsg_IsNoResponders(raw);
    natsMsg_Destroy(raw);
    try {
      state->handler(std::move(message));
    } catch (const std::exception& e) {
      state->log->Error("handler_failed", {{"error", e.what()}});
    }
  }
};

Subscription::Subscription(std::unique_ptr<State> state) : state_(std::move(state)) {}

Subscription::~Subscription() {
  if (state_->subscription) {
    // Drain rather than unsubscribe: it waits for a handler already running, so the handler
    // never outlives `state_`.
    if (natsSubscription_Drain(state_->subscription) == NATS_OK) {
      natsSubscription_WaitForDrainCompletion(state_->subscription, 2000);
    } else {
      natsSubscription_Unsubscribe(state_->subscription);
    }
    natsSubscription_Destroy(state_->subscription);
  }
}

void Subscription::Drain(std::chrono::milliseconds timeout) {
  if (state_->subscription && natsSubscription_Drain(state_->subscription) == NATS_OK) {
    natsSubscription_WaitForDrainCompletion(state_->subscription, timeout.count());
  }
}

long long Subscription::Dropped() const {
  int64_t dropped = 0;
  if (state_->subscription) natsSubscription_GetDropped(state_->subscription, &dropped);
  return dropped;
}

Connection::Connection(const ConnectionOptions& options)
    : own_log_(options.log ? nullptr : std::make_unique<logging::Logger>("nats", std::cerr)),
      log_(options.log ? options.log : own_log_.get()),
      callbacks_(std::make_unique<Callbacks>()) {
  natsOptions* raw = nullptr;
  Check(natsOptions_Create(&raw), "creating NATS options");
  std::unique_ptr<natsOptions, OptionsDeleter> opts(raw);
  const ServerList servers = ParseServerList(options.url);
  std::vector<const char*> urls;
  for (const auto& url : servers.urls) urls.push_back(url.c_str());
  Check(natsOptions_SetServers(opts.get(), urls.data(), static_cast<int>(urls.size())),
        "NATS_URL " + config::ScrubUrl(options.url));
  // Servers a cluster announces come without credentials: give them the ones the user wrote.
  if (!servers.user.empty()) {
    Check(natsOptions_SetUserInfo(opts.get(), servers.user.c_str(), servers.password.c_str()),
          "NATS_URL credentials");
  } else if (!servers.token.empty()) {
    Check(natsOptions_SetToken(opts.get(), servers.token.c_str()), "NATS_URL token");
  }
  if (!options.name.empty()) natsOptions_SetName(opts.get(), options.name.c_str());
  natsOptions_SetMaxReconnect(opts.get(), -1);
  natsOptions_SetReconnectWait(opts.get(), 250);
  natsOptions_SetReconnectBufSize(opts.get(), 64 * 1024 * 1024);
  natsOptions_SetReconnectedCB(opts.get(), &Callbacks::OnReconnected, callbacks_.get());
  natsOptions_SetNoRandomize(opts.get(), true);
  if (options.retry_on_failed_connect) {
    // Without a connected callback, cnats would block here until a server answers.
    natsOptions_SetRetryOnFailedConnect(opts.get(), true, &Callbacks::OnConnected,
                                        callbacks_.get());
  }
  const natsStatus status = natsConnection_Connect(&connection_, opts.get());
  // With retry on, NATS_NOT_YET_CONNECTED means "connecting in the background".
  if (status == NATS_NOT_YET_CONNECTED) return;
  Check(status, "connecting to NATS at " + config::ScrubUrl(options.url));
}

Connection::~Connection() {
  if (connection_) {
    natsConnection_FlushTimeout(connection_, 1000);
    natsConnection_Destroy(connection_);
  }
}

void Connection::Publish(std::string_view subject, std::string_view data) {
  const std::string subject_copy(subject);
  Check(natsConnection_Publish(connection_, subject_copy.c_str(), data.data(),
                               static_cast<int>(data.size())),
        "publishing to " + subject_copy);
}

void Connection::Flush(std::chrono::milliseconds timeout) {
  Check(natsConnection_FlushTimeout(connection_, timeout.count()), "flushing NATS");
}

std::optional<std::string> Connection::Request(std::string_view subject, std::string_view data,
                                               std::chrono::milliseconds timeout) {
  natsMsg* reply = nullptr;
  const std::string subject_copy(subject);
  if (!Connected()) return std::nullopt;
  const natsStatus status =
      natsConnection_Request(&reply, connection_, subject_copy.c_str(), data.data(),
                             static_cast<int>(data.size()), timeout.count());
  if (status == NATS_TIMEOUT || status == NATS_NO_RESPONDERS) return std::nullopt;
  Check(status, "request on " + subject_copy);
  std::string body(natsMsg_GetData(reply), natsMsg_GetDataLength(reply));
  natsMsg_Destroy(reply);
  return body;
}

std::unique_ptr<Subscription> Connection::Subscribe(std::string_view subject,
                                                    std::string_view queue_group, Handler handler,
                                                    int pending_limit) {
  auto state = std::make_unique<Subscription::State>();
  state->handler = std::move(handler);
  state->log = log_;
  const std::string subject_copy(subject);
  const std::string queue_copy(queue_group);
  natsStatus status;
  if (queue_copy.empty()) {
    status = natsConnection_Subscribe(&state->subscription, connection_, subject_copy.c_str(),
                                      &Subscription::State::OnMessage, state.get());
  } else {
    status = natsConnection_QueueSubscribe(&state->subscription, connection_, subject_copy.c_str(),
                                           queue_copy.c_str(), &Subscription::State::OnMessage,
                                           state.get());
  }
  if (status == NATS_CONNECTION_CLOSED) {
    // Closed for good (the server refused our credentials): nothing will be delivered, and
    // Connected() says so to readiness. Not an exception, so the daemon stays up to report it.
    state->subscription = nullptr;
    return std::unique_ptr<Subscription>(new Subscription(std::move(state)));
  }
  Check(status, "subscribing to " + subject_copy);
  natsSubscription_SetPendingLimits(state->subscription, pending_limit, 512 * 1024 * 1024);
  return std::unique_ptr<Subscription>(new Subscription(std::move(state)));
}

bool Connection::Connected() const {
  return natsConnection_Status(connection_) == NATS_CONN_STATUS_CONNECTED;
}

bool Connection::Closed() const { return natsConnection_IsClosed(connection_); }

std::string Connection::LastError() const {
  const char* text = nullptr;
  const natsStatus status = natsConnection_GetLastError(connection_, &text);
  if (status == NATS_OK) return "";
  return text && *text ? std::string(text) : std::string(natsStatus_GetText(status));
}

std::string Connection::ConnectedUrl() const {
  char buffer[1024] = {0};
  if (!Connected() ||
      natsConnection_GetConnectedUrl(connection_, buffer, sizeof buffer) != NATS_OK) {
    return "";
  }
  return config::ScrubUrl(buffer);
}

long long Connection::Reconnects() const { return callbacks_->reconnects.load(); }

void Connection::PublishRequest(std::string_view subject, std::string_view reply,
                                std::string_view data) {
  const std::string subject_copy(subject);
  const std::string reply_copy(reply);
  Check(natsConnection_PublishRequest(connection_, subject_copy.c_str(), reply_copy.c_str(),
                                      data.data(), static_cast<int>(data.size())),
        "publishing to " + subject_copy);
}

std::string Connection::NewInbox() {
  natsInbox* inbox = nullptr;
  Check(natsInbox_Create(&inbox), "creating a NATS inbox");
  std::string subject(inbox);
  natsInbox_Destroy(inbox);
  return subject;
}

long long Connection::MaxPayload() const { return natsConnection_GetMaxPayload(connection_); }

}  // namespace lokahi::nats
