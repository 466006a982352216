// The probe ceiling of this machine: the least a libcurl-multi program can do per fresh-connection
// request (URL, no reuse, body discarded; no callbacks, policies or result records), driven by
// the same epoll loop as lib/probe (MultiDriver). bench/probe_rate --bare runs it against the
// same nginx target, so the pipeline's rate can be stated as a share of what the same machine
// offers in the same hour: this machine's speed varies by tens of per cent from day to day.
//
// Usage: curl_ceiling PORT [seconds=20] [in_flight=1000] [addresses=200]

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "bench/probe/probe_bench_args.h"
#include "lib/probe/curl_handles.h"
#include "lib/probe/multi_driver.h"

namespace {

using Clock = lokahi::probe::MultiDriver::Clock;

size_t Discard(char*, size_t size, size_t count, void*) { return size * count; }

}  // namespace

int main(int argc, char** argv) {
  const lokahi::bench::ProbeBenchArgs args = lokahi::bench::ParseProbeBenchArgs(argc, argv);
  const std::vector<std::string>& urls = args.urls;
  lokahi::probe::CurlGlobal curl_global;
  lokahi::probe::MultiDriver driver;

  size_t next_url = 0;
  const auto start = [&](CURL* easy) {
    curl_easy_setopt(easy, CURLOPT_URL, urls[next_url++ % urls.size()].c_str());
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(easy, CURLOPT_FORBID_REUSE, 1L);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Discard);
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
      "{\"bench\":\"curl_ceiling\",\"in_flight\":%zu,\"seconds\":%.1f,\"requests_per_s\":%.0f,"
      "\"cpu_us_per_request\":%.1f,\"cpu_pct\":%.0f,\"not_200\":%llu}\n",
      args.in_flight, elapsed, rate, us_per_request, 100 * cpu / elapsed,
      static_cast<unsigned long long>(not_200));
  return 0;
}
