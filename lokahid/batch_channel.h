#pragma once
// Where the scheduler sends its batches of due slots: NATS check.run in lokahid
// (NatsBatchChannel), a fake in tests.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace lokahi::lokahid {

class BatchChannel {
 public:
  virtual ~BatchChannel() = default;
  // False while the transport is disconnected. A batch published then would wait in a client
  // buffer and reach workers late, all at once, after the reconnect: the scheduler skips (and
  // counts) those slots instead.
  virtual bool Connected() = 0;
  // The largest batch, in bytes, the transport accepts.
  virtual size_t MaxPayload() = 0;
  // Sends one serialized internal.RunBatch holding `slots` slots. Throws on failure.
  virtual void Publish(const std::string& payload, int64_t slots) = 0;
  // Slots of batches published earlier that reached no worker, reported since the last call.
  virtual int64_t TakeUnrouted() = 0;
  // Waits (at most `timeout`) until what was published so far has reached the transport and
  // every "nobody received it" answer has been counted.
  virtual void Settle(std::chrono::milliseconds timeout) = 0;
};

}  // namespace lokahi::lokahid
