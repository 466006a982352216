#pragma once
// The production Prober: one thread running an epoll loop around one libcurl multi handle
// (curl_multi_socket_action), thousands of probes in flight.
//
// Every probe is a fresh connection (a health check must see a real connect), restricted to http
// and https (redirects included), bounded by its timeout, a body read cap, a header cap and a
// redirect cap, and refused when the address being connected is on the deny list.
//
// Costs and caches: easy handles are kept and reused (at most max_in_flight of them). All handles
// share the multi handle's DNS cache (libcurl's default 60 s) and CA store cache (24 h), so a name
// starts one resolver thread per cache miss and the CA bundle is parsed once, not per connection.
// Memory per probe is bounded by the body and header caps plus libcurl's buffers whatever the
// target sends. Waiting requests start oldest first, or newest first under a backlog, and those
// with a start-by leave the queue when it passes (waiting_queue.h); requests without one are not
// bounded here: callers watch Queued() for backpressure.

#include <chrono>
#include <memory>
#include <vector>

#include "lib/probe/prober.h"

namespace lokahi::probe {

class CurlMultiProber final : public Prober {
 public:
  using CompletionHandler = Prober::CompletionHandler;

  // `on_complete` is called on the prober thread with every batch of finished probes; it must not
  // block for long (it stalls every probe) and must not throw (that terminates the process, as any
  // exception leaving a thread does), nor call Stop. Throws std::invalid_argument for bad options
  // (an invalid deny CIDR names the entry) and std::runtime_error when the loop cannot be set up.
  CurlMultiProber(ProberOptions options, CompletionHandler on_complete);
  ~CurlMultiProber() override;  // Stop(0) if still running
  CurlMultiProber(const CurlMultiProber&) = delete;
  CurlMultiProber& operator=(const CurlMultiProber&) = delete;

  void Submit(std::vector<ProbeRequest> requests) override;
  size_t Queued() const override;
  size_t InFlight() const override;
  void Stop(std::chrono::milliseconds grace) override;

 private:
  class Loop;
  std::unique_ptr<Loop> loop_;
};

}  // namespace lokahi::probe
