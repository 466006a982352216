#include "lib/nats/nats_client.h"

#include <nats/nats.h>

#include <iostream>

namespace lokahi::nats {
namespace {

void Check(natsStatus status, const std::string& what) {
  if (status == NATS_OK) return;
  // Read the last error at once: later cnats calls overwrite it.
  const char* detail = nats_GetLastError(nullptr);
  throw NatsError(what + ": " + natsStatus_GetText(status) +
                  (detail && *detail ? std::string(" (") + detail + ")" : ""));
}

struct OptionsDeleter {
  void operator()(natsOptions* options) const noexcept { natsOptions_Destroy(options); }
};

}  // namespace

Library::Library() { Check(nats_Open(-1), "initialising the NATS client library"); }
Library::~Library() { nats_Close(); }

struct Connection::Callbacks {
  std::atomic<long long> reconnects{0};
  static void OnReconnected(natsConnection*, void* closure) noexcept {
    static_cast<Callbacks*>(closure)->reconnects.fetch_add(1);
  }
};

struct Subscription::State {
  natsSubscription* subscription = nullptr;
  Connection::Handler handler;
  static void OnMessage(natsConnection*, natsSubscription*, natsMsg* raw, void* closure) noexcept {
    auto* state = static_cast<State*>(closure);
    Message message;
    message.subject = natsMsg_GetSubject(raw);
    if (const char* reply = natsMsg_GetReply(raw)) message.reply = reply;
    message.data.assign(natsMsg_GetData(raw), natsMsg_GetDataLength(raw));
    natsMsg_Destroy(raw);
    try {
      state->handler(std::move(message));
    } catch (const std::exception& e) {
      std::cerr << "level=error component=nats event=handler_failed error=\"" << e.what()
                << "\"\n";
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
  if (natsSubscription_Drain(state_->subscription) == NATS_OK) {
    natsSubscription_WaitForDrainCompletion(state_->subscription, timeout.count());
  }
}

long long Subscription::Dropped() const {
  int64_t dropped = 0;
  natsSubscription_GetDropped(state_->subscription, &dropped);
  return dropped;
}

Connection::Connection(const ConnectionOptions& options) : callbacks_(std::make_unique<Callbacks>()) {
  natsOptions* raw = nullptr;
  Check(natsOptions_Create(&raw), "creating NATS options");
  std::unique_ptr<natsOptions, OptionsDeleter> opts(raw);
  Check(natsOptions_SetURL(opts.get(), options.url.c_str()), "NATS_URL " + options.url);
  if (!options.name.empty()) natsOptions_SetName(opts.get(), options.name.c_str());
  natsOptions_SetMaxReconnect(opts.get(), -1);
  natsOptions_SetReconnectWait(opts.get(), 250);
  natsOptions_SetReconnectBufSize(opts.get(), 64 * 1024 * 1024);
  natsOptions_SetReconnectedCB(opts.get(), &Callbacks::OnReconnected, callbacks_.get());
  natsOptions_SetNoRandomize(opts.get(), true);
  if (options.retry_on_failed_connect) {
    natsOptions_SetRetryOnFailedConnect(opts.get(), true, nullptr, nullptr);
  }
  const natsStatus status = natsConnection_Connect(&connection_, opts.get());
  // With retry on, NATS_NOT_YET_CONNECTED means "connecting in the background".
  if (status == NATS_NOT_YET_CONNECTED) return;
  Check(status, "connecting to NATS at " + options.url);
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
  const std::string subject_copy(subject);
  const std::string queue_copy(queue_group);
  natsStatus status;
  if (queue_copy.empty()) {
    status = natsConnection_Subscribe(&state->subscription, connection_, subject_copy.c_str(),
                                      &Subscription::State::OnMessage, state.get());
  } else {
    status = natsConnection_QueueSubscribe(&state->subscription, connection_,
                                           subject_copy.c_str(), queue_copy.c_str(),
                                           &Subscription::State::OnMessage, state.get());
  }
  Check(status, "subscribing to " + subject_copy);
  natsSubscription_SetPendingLimits(state->subscription, pending_limit, 512 * 1024 * 1024);
  return std::unique_ptr<Subscription>(new Subscription(std::move(state)));
}

bool Connection::Connected() const {
  return natsConnection_Status(connection_) == NATS_CONN_STATUS_CONNECTED;
}

long long Connection::Reconnects() const { return callbacks_->reconnects.load(); }

}  // namespace lokahi::nats
