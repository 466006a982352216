#include "lokahid/nats_batch_channel.h"

#include <algorithm>
#include <charconv>

#include "lib/nats/subjects.h"

namespace lokahi::lokahid {
namespace {
// A "no responders" answer comes within a round trip of the publish; batches older than this
// are forgotten (they reached a worker, or the connection dropped them with the rest).
constexpr auto kForgetAfter = std::chrono::seconds(60);
}  // namespace

NatsBatchChannel::NatsBatchChannel(nats::Connection& nats)
    : nats_(nats), inbox_(nats::Connection::NewInbox()) {
  replies_ = nats_.Subscribe(inbox_ + ".*", "",
                             [this](nats::Message&& message) { OnReply(std::move(message)); });
}

NatsBatchChannel::~NatsBatchChannel() { replies_.reset(); }

bool NatsBatchChannel::Connected() { return nats_.Connected(); }

size_t NatsBatchChannel::MaxPayload() {
  const long long server = nats_.MaxPayload();
  return server > 0 ? static_cast<size_t>(server) : kDefaultMaxPayload;
}

void NatsBatchChannel::Publish(const std::string& payload, int64_t slots) {
  uint64_t batch = 0;
  {
    std::lock_guard lock(mutex_);
    batch = next_batch_++;
    const auto now = std::chrono::steady_clock::now();
    while (!outstanding_.empty() && now - outstanding_.begin()->second.published > kForgetAfter) {
      outstanding_.erase(outstanding_.begin());
    }
    outstanding_[batch] = {slots, now};
  }
  try {
    nats_.PublishRequest(nats::Subjects::kCheckRun, inbox_ + "." + std::to_string(batch), payload);
  } catch (...) {
    std::lock_guard lock(mutex_);
    outstanding_.erase(batch);
    throw;
  }
}

int64_t NatsBatchChannel::TakeUnrouted() { return unrouted_.exchange(0); }

void NatsBatchChannel::Settle(std::chrono::milliseconds timeout) {
  // The server handles one connection's messages in order: once a marker published now comes
  // back on the inbox, every answer to the batches before it has been handled.
  uint64_t marker = 0;
  {
    std::lock_guard lock(mutex_);
    marker = next_marker_++;
  }
  try {
    nats_.Publish(inbox_ + ".m" + std::to_string(marker), "");
  } catch (const nats::NatsError&) {
    return;  // disconnected: nothing more comes back in time
  }
  std::unique_lock lock(mutex_);
  settled_.wait_for(lock, timeout, [&] { return markers_seen_ >= marker; });
}

void NatsBatchChannel::OnReply(nats::Message&& message) {
  const auto dot = message.subject.rfind('.');
  if (dot == std::string::npos || dot + 1 >= message.subject.size()) return;
  const bool is_marker = message.subject[dot + 1] == 'm';
  const char* begin = message.subject.data() + dot + 1 + (is_marker ? 1 : 0);
  const char* end = message.subject.data() + message.subject.size();
  uint64_t number = 0;
  if (std::from_chars(begin, end, number).ec != std::errc()) return;
  std::lock_guard lock(mutex_);
  if (is_marker) {
    markers_seen_ = std::max(markers_seen_, number);
    settled_.notify_all();
    return;
  }
  if (!message.no_responders) return;
  const auto it = outstanding_.find(number);
  if (it == outstanding_.end()) return;
  unrouted_.fetch_add(it->second.slots);
  outstanding_.erase(it);
}

}  // namespace lokahi::lokahid
