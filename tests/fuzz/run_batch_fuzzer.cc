// The healthworker's NATS payloads as anyone who can publish on check.run sends them: the input is
// given both as a RunBatch (check.run) and as a RunNowRequest (an on-demand run) to a real
// ProbeDispatcher. Probes go through a proxy on a closed loopback port, behind an egress policy
// that denies every address, so none leaves this process; results reach a writer that keeps
// nothing. Decoding and admission must never crash nor overflow, whatever the numbers.

#include <chrono>
#include <ostream>
#include <string>
#include <thread>

#include "healthworker/probe_dispatcher.h"
#include "healthworker/result_batcher.h"
#include "lib/store/result_writer.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

using namespace std::chrono_literals;

class DiscardingWriter final : public lokahi::store::ResultWriter {
 public:
  lokahi::store::WriteOutcome Write(const std::vector<lokahi::store::ProbeRecord>& batch,
                                    int64_t) override {
    lokahi::store::WriteOutcome outcome;
    outcome.results_written = batch.size();
    return outcome;
  }
};

struct Worker {
  Worker()
      : log("run_batch_fuzzer", discarded),
        batcher(
            writer, lokahi::healthworker::BatcherOptions{}, [](const auto&) {}, log),
        dispatcher(
            Options(), batcher, [](const std::string&, const std::string&) {},
            [] { return std::chrono::system_clock::time_point(1796083200s); }, log) {}

  static lokahi::healthworker::DispatcherOptions Options() {
    lokahi::healthworker::DispatcherOptions options;
    options.prober.max_in_flight = 8;
    options.prober.proxy = "http://127.0.0.1:1";  // closed: nothing is fetched
    options.prober.egress_deny_cidrs = {"0.0.0.0/0", "::/0"};
    options.max_queued = 32;
    return options;
  }

  // Keeps memory flat across millions of inputs: waits (boundedly) for the probes started by
  // earlier inputs, which all fail at once on the closed proxy.
  void Drain() {
    for (int i = 0; i < 2000 && dispatcher.InFlight() + dispatcher.Queued() > 16; ++i) {
      std::this_thread::sleep_for(1ms);
    }
  }

  std::ostream discarded{nullptr};  // no buffer: every line logged is dropped
  lokahi::logging::Logger log;
  DiscardingWriter writer;
  lokahi::healthworker::ResultBatcher batcher;
  lokahi::healthworker::ProbeDispatcher dispatcher;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Worker* worker = new Worker;  // lives for the whole run; libFuzzer exits without teardown
  const std::string payload(lokahi::fuzz::AsText(data, size));
  worker->dispatcher.OnRunBatch(payload);
  worker->dispatcher.OnRunNow(payload, "_INBOX.fuzz");
  worker->Drain();
  return 0;
}
