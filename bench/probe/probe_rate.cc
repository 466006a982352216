// How fast one healthworker's prober runs against a local target, without the rest of the
// pipeline: keeps the prober saturated for a fixed time and prints completed probes per second
// and the process's CPU time per probe (user + system, which on loopback includes the kernel's
// TCP work for both ends of each connection).
//
// Usage: probe_rate [--tls CA_FILE [--resume]] [--latency-ms MS] PORT [seconds=20] [in_flight=1000]
//        [addresses=200]
// Probes http://127.0.0.{2..}:PORT/ round-robin (bench/probe_rate starts nginx for it), or
// https:// trusting CA_FILE with --tls, with a full handshake per probe unless --resume
// (ProberOptions::tls_resume, full handshakes every 10 minutes per address). With --latency-ms
// the target answers after MS, so `in_flight` probes wait at once: the figure to read is then the
// resident memory per probe in flight (the growth of RSS from before the first probe to the
// window's end, divided by the probes in flight then), printed with the process's peak RSS.

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "bench/probe/probe_bench_args.h"
#include "lib/probe/curl_multi_prober.h"

namespace {

using Clock = std::chrono::steady_clock;
using lokahi::bench::CpuSeconds;

}  // namespace

int main(int argc, char** argv) {
  const lokahi::bench::ProbeBenchArgs args = lokahi::bench::ParseProbeBenchArgs(argc, argv);
  const int seconds = args.seconds;
  const size_t in_flight = args.in_flight;
  const std::vector<std::string>& urls = args.urls;
  std::atomic<uint64_t> completed{0}, failed{0};
  const long rss_before_kb = lokahi::bench::ResidentKb();
  const int timeout_ms = 5000 + args.latency_ms;
  lokahi::probe::ProberOptions options;
  options.max_in_flight = in_flight;
  options.ca_bundle_path = args.ca_bundle;
  options.tls_resume = args.resume;
  lokahi::probe::CurlMultiProber prober(
      options, [&](std::vector<lokahi::probe::ProbeResult>&& done) {
        for (const auto& result : done) {
          if (result.status_code != 200) failed.fetch_add(1, std::memory_order_relaxed);
        }
        completed.fetch_add(done.size(), std::memory_order_relaxed);
      });

  uint64_t next_tag = 0;
  const auto top_up = [&] {
    // Keep a batch waiting behind the in-flight ones, as the healthworker does under load.
    if (prober.Queued() >= in_flight) return;
    std::vector<lokahi::probe::ProbeRequest> batch;
    batch.reserve(in_flight);
    for (size_t i = 0; i < in_flight; ++i, ++next_tag) {
      batch.push_back({next_tag, urls[next_tag % urls.size()], timeout_ms});
    }
    prober.Submit(std::move(batch));
  };

  // Warm up for a second so connection setup and allocator growth are not in the figure.
  const auto warm_until = Clock::now() + std::chrono::seconds(1);
  while (Clock::now() < warm_until) {
    top_up();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const uint64_t completed_before = completed.load(), failed_before = failed.load();
  const double cpu_before = CpuSeconds();
  const auto start = Clock::now(), end = start + std::chrono::seconds(seconds);
  while (Clock::now() < end) {
    top_up();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const double wall = std::chrono::duration<double>(Clock::now() - start).count();
  const double cpu = CpuSeconds() - cpu_before;
  const uint64_t probes = completed.load() - completed_before;
  const size_t in_flight_at_end = prober.InFlight();
  const long rss_kb = lokahi::bench::ResidentKb(), peak_rss_kb = lokahi::bench::ResidentKb(true);
  const double kb_per_in_flight =
      in_flight_at_end ? static_cast<double>(rss_kb - rss_before_kb) / in_flight_at_end : 0;
  const uint64_t not_200 = failed.load() - failed_before;
  prober.Stop(std::chrono::milliseconds(0));

  const double per_second = probes / wall;
  const double cpu_us_per_probe = probes ? cpu * 1e6 / probes : 0;
  std::printf("probes/s %.0f  CPU µs/probe %.1f  CPU %.0f%% of a core  not 200: %llu\n", per_second,
              cpu_us_per_probe, 100 * cpu / wall, static_cast<unsigned long long>(not_200));
  std::printf(
      "in flight at the end %zu  RSS %ld MB (peak %ld MB, %ld MB before probing)  %.1f kB "
      "per probe in flight\n",
      in_flight_at_end, rss_kb / 1024, peak_rss_kb / 1024, rss_before_kb / 1024, kb_per_in_flight);
  std::printf(
      "{\"bench\":\"probe_rate\",\"tls\":%s,\"resume\":%s,\"in_flight\":%zu,\"seconds\":%.1f,"
      "\"probes_per_s\":%.0f,"
      "\"cpu_us_per_probe\":%.1f,\"cpu_pct\":%.0f,\"not_200\":%llu,\"latency_ms\":%d,"
      "\"in_flight_at_end\":%zu,\"rss_mb\":%ld,\"peak_rss_mb\":%ld,\"kb_per_in_flight\":%.1f}\n",
      args.ca_bundle.empty() ? "false" : "true", args.resume ? "true" : "false", in_flight, wall,
      per_second, cpu_us_per_probe, 100 * cpu / wall, static_cast<unsigned long long>(not_200),
      args.latency_ms, in_flight_at_end, rss_kb / 1024, peak_rss_kb / 1024, kb_per_in_flight);
  return not_200 == probes && probes > 0 ? 1 : 0;
}
