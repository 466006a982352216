// The probe ceiling of this machine: the least a libcurl-multi program can do per fresh-connection
// request (URL, no reuse, body discarded; no callbacks, policies or result records), driven by
// the same epoll loop as lib/probe (MultiDriver). bench/probe_rate --bare runs it against the
// same nginx target, so the pipeline's rate can be stated as a share of what the same machine
// offers in the same hour: this machine's speed varies by tens of per cent from day to day.
//
// With --tls CA every request is https:// and makes a full TLS handshake (no session reuse),
// trusting CA with libcurl's CA store cache on, as the prober does. With --resume each request
// resumes the TLS session of an earlier request to the same address instead (one share of session
// data per address: libcurl's share keeps only 8 sessions), on a fresh connection still.
//
// Usage: curl_ceiling [--tls CA_FILE [--resume]] PORT [seconds=20] [in_flight=1000] [addresses=200]

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "bench/probe/probe_bench_args.h"
#include "lib/probe/curl_handles.h"
#include "lib/probe/multi_driver.h"

namespace {

using Clock = lokahi::probe::MultiDriver::Clock;

size_t Discard(char*, size_t size, size_t count, void*) { return size * count; }

struct ShareDeleter {
  void operator()(CURLSH* share) const noexcept { curl_share_cleanup(share); }
};
using ShareHandle = std::unique_ptr<CURLSH, ShareDeleter>;

}  // namespace

int main(int argc, char** argv) {
  const lokahi::bench::ProbeBenchArgs args = lokahi::bench::ParseProbeBenchArgs(argc, argv);
  const std::vector<std::string>& urls = args.urls;
  lokahi::probe::CurlGlobal curl_global;
  lokahi::probe::MultiDriver driver;
  // Declared before the handles, so it outlives them.
  std::vector<ShareHandle> sessions;
  for (size_t i = 0; args.resume && i < urls.size(); ++i) {
    sessions.emplace_back(curl_share_init());
    curl_share_setopt(sessions.back().get(), CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  }

  size_t next_url = 0;
  const auto start = [&](CURL* easy) {
    const size_t url = next_url++ % urls.size();
    curl_easy_setopt(easy, CURLOPT_URL, urls[url].c_str());
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(easy, CURLOPT_FORBID_REUSE, 1L);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Discard);
    if (!args.ca_bundle.empty()) {
      curl_easy_setopt(easy, CURLOPT_CAINFO, args.ca_bundle.c_str());
      curl_easy_setopt(easy, CURLOPT_CAPATH, static_cast<const char*>(nullptr));
      curl_easy_setopt(easy, CURLOPT_CA_CACHE_TIMEOUT, 86400L);
      curl_easy_setopt(easy, CURLOPT_SSL_SESSIONID_CACHE, args.resume ? 1L : 0L);
      if (args.resume) curl_easy_setopt(easy, CURLOPT_SHARE, sessions[url].get());
    }
    driver.Add(easy);
  };
  std::vector<lokahi::probe::EasyHandle> handles;
  for (size_t i = 0; i < args.in_flight; ++i) {
    handles.emplace_back(curl_easy_init());
    start(handles.back().get());
  }

  // The first second (connection setup, allocator growth) is left out of the figure, as in
  // probe_rate.
  uint64_t completed = 0, not_200 = 0;
  const auto measure_from = Clock::now() + std::chrono::seconds(1);
  const auto deadline = measure_from + std::chrono::seconds(args.seconds);
  bool measuring = false;
  auto began = measure_from;
  double cpu_began = 0;
  while (Clock::now() < deadline) {
    if (!measuring && Clock::now() >= measure_from) {
      measuring = true;
      began = Clock::now();
      cpu_began = lokahi::bench::CpuSeconds();
      completed = not_200 = 0;
    }
    driver.RunOnce(deadline);
    while (const auto finished = driver.NextFinished()) {
      long status = 0;
      curl_easy_getinfo(finished->easy, CURLINFO_RESPONSE_CODE, &status);
      if (status != 200) ++not_200;
      ++completed;
      driver.Remove(finished->easy);
      start(finished->easy);
    }
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - began).count();
  const double cpu = lokahi::bench::CpuSeconds() - cpu_began;
  for (auto& handle : handles) driver.Remove(handle.get());
  const double rate = completed / elapsed;
  const double us_per_request = completed ? cpu * 1e6 / completed : 0;
  std::printf("requests/s %.0f  CPU µs/request %.1f  CPU %.0f%% of a core  not 200: %llu\n", rate,
              us_per_request, 100 * cpu / elapsed, static_cast<unsigned long long>(not_200));
  std::printf(
      "{\"bench\":\"curl_ceiling\",\"tls\":%s,\"resume\":%s,\"in_flight\":%zu,\"seconds\":%.1f,"
      "\"requests_per_s\":%.0f,"
      "\"cpu_us_per_request\":%.1f,\"cpu_pct\":%.0f,\"not_200\":%llu}\n",
      args.ca_bundle.empty() ? "false" : "true", args.resume ? "true" : "false", args.in_flight,
      elapsed, rate, us_per_request, 100 * cpu / elapsed, static_cast<unsigned long long>(not_200));
  return 0;
}
