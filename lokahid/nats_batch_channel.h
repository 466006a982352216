#pragma once
// Dispatch batches on NATS check.run, knowing which reached no healthworker: each batch is
// published with its own reply subject, and the server answers there with a "no responders"
// status when nothing was subscribed to check.run at that moment (NATS 2.2+). No worker ever
// replies, and nothing waits for an answer: one publish per batch, as before.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "lib/nats/nats_client.h"
#include "lokahid/batch_channel.h"

namespace lokahi::lokahid {

class NatsBatchChannel : public BatchChannel {
 public:
  // NATS's default max_payload, used until the server's INFO says otherwise.
  static constexpr size_t kDefaultMaxPayload = 1024 * 1024;

  explicit NatsBatchChannel(nats::Connection& nats);
  ~NatsBatchChannel() override;

  bool Connected() override;
  size_t MaxPayload() override;
  void Publish(const std::string& payload, int64_t slots) override;
  int64_t TakeUnrouted() override;
  void Settle(std::chrono::milliseconds timeout) override;

 private:
  struct Outstanding {
    int64_t slots = 0;
    std::chrono::steady_clock::time_point published;
  };
  void OnReply(nats::Message&& message);

  nats::Connection& nats_;
  const std::string inbox_;
  std::mutex mutex_;
  std::condition_variable settled_;
  uint64_t next_batch_ = 1;                      // guarded by mutex_
  std::map<uint64_t, Outstanding> outstanding_;  // guarded by mutex_; by batch number
  uint64_t next_marker_ = 1;                     // guarded by mutex_
  uint64_t markers_seen_ = 0;                    // guarded by mutex_
  std::atomic<int64_t> unrouted_{0};
  std::unique_ptr<nats::Subscription> replies_;  // last: stops before the rest goes
};

}  // namespace lokahi::lokahid
