// Admission control, batching onto the prober thread, and stopping without losing a request.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "lib/probe/curl_multi_prober.h"
#include "tests/lib/probe/probe_test_support.h"
#include "tests/support/child_process.h"

namespace lokahi::probe {
namespace {

using testing::HoldUntilClosed;
using testing::RawServer;
using testing::ReadRequestHead;
using testing::ResultCollector;
using testing::WriteAll;
using namespace std::chrono_literals;

// Answers 200 after `delay`, counting how many requests it serves at once.
class SlowTarget {
 public:
  explicit SlowTarget(std::chrono::milliseconds delay)
      : server_([this, delay](int fd, const RawServer& server) { Serve(fd, server, delay); }) {}
  std::string Url() const { return server_.Url(); }
  int MaxConcurrent() const { return max_concurrent_.load(); }
  int Served() const { return served_.load(); }

 private:
  void Serve(int fd, const RawServer& server, std::chrono::milliseconds delay) {
    if (ReadRequestHead(fd, server).empty()) return;
    const int now = ++concurrent_;
    int seen = max_concurrent_.load();
    while (now > seen && !max_concurrent_.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(delay);
    --concurrent_;
    if (WriteAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")) ++served_;
  }

  std::atomic<int> concurrent_{0};
  std::atomic<int> max_concurrent_{0};
  std::atomic<int> served_{0};
  RawServer server_;
};

ProberOptions WithLimit(size_t max_in_flight) {
  ProberOptions options;
  options.max_in_flight = max_in_flight;
  return options;
}

// A prober whose results land in `collector`.
struct CollectingProber {
  explicit CollectingProber(ProberOptions options) : prober(options, collector.Handler()) {}
  ResultCollector collector;
  CurlMultiProber prober;
};

std::vector<ProbeRequest> Requests(const std::string& url, int count, int timeout_ms) {
  std::vector<ProbeRequest> requests;
  for (int tag = 0; tag < count; ++tag) {
    requests.push_back({static_cast<uint64_t>(tag), url, timeout_ms});
  }
  return requests;
}

TEST(ProberLifecycleTest, NeverMoreInFlightThanTheLimit) {
  SlowTarget target(200ms);
  CollectingProber running(WithLimit(4));
  ResultCollector& collector = running.collector;
  CurlMultiProber& prober = running.prober;
  prober.Submit(Requests(target.Url(), 20, 10000));
  EXPECT_GE(prober.Queued(), 16u);
  EXPECT_LE(prober.InFlight(), 4u);

  const std::vector<ProbeResult> results = collector.WaitFor(20, 20s);
  ASSERT_EQ(results.size(), 20u);
  for (size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(results[i].tag, i);
    EXPECT_EQ(results[i].status_code, 200) << results[i].error;
  }
  EXPECT_EQ(target.MaxConcurrent(), 4);  // the limit, and also used to the full
  EXPECT_EQ(prober.Queued(), 0u);
  EXPECT_EQ(prober.InFlight(), 0u);
}

TEST(ProberLifecycleTest, CompletionsRunOnOneProberThread) {
  SlowTarget target(0ms);
  CollectingProber running(ProberOptions{});
  ResultCollector& collector = running.collector;
  CurlMultiProber& prober = running.prober;
  prober.Submit(Requests(target.Url(), 50, 5000));
  prober.Submit(Requests(target.Url(), 50, 5000));
  ASSERT_EQ(collector.WaitFor(100, 20s).size(), 100u);
  const std::vector<std::thread::id> threads = collector.HandlerThreads();
  const std::set<std::thread::id> distinct(threads.begin(), threads.end());
  EXPECT_EQ(distinct.size(), 1u);
  EXPECT_NE(*distinct.begin(), std::this_thread::get_id());
}

TEST(ProberLifecycleTest, HandlesAreReusedAcrossManyProbes) {
  SlowTarget target(0ms);
  CollectingProber running(WithLimit(8));
  ResultCollector& collector = running.collector;
  CurlMultiProber& prober = running.prober;
  prober.Submit(Requests(target.Url(), 500, 5000));
  const std::vector<ProbeResult> results = collector.WaitFor(500, 30s);
  ASSERT_EQ(results.size(), 500u);
  for (const ProbeResult& result : results) EXPECT_EQ(result.status_code, 200) << result.error;
  EXPECT_EQ(target.Served(), 500);  // one fresh connection per probe
}

// A backlog must not start probes whose slot has passed: those behind one slow target (limit 1,
// each answer 300 ms) with a start-by 500 ms away come back not started, without a connection.
TEST(ProberLifecycleTest, RequestsStillQueuedAtTheirStartByAreNotStarted) {
  SlowTarget target(300ms);
  CollectingProber running(WithLimit(1));
  std::vector<ProbeRequest> requests = Requests(target.Url(), 6, 5000);
  const auto start_by = std::chrono::system_clock::now() + 500ms;
  for (ProbeRequest& request : requests) request.start_by = start_by;
  requests.push_back({6, target.Url(), 5000});  // no start-by: waits as long as it takes
  running.prober.Submit(std::move(requests));

  const std::vector<ProbeResult> results = running.collector.WaitFor(7, 20s);
  ASSERT_EQ(results.size(), 7u);
  int started = 0, not_started = 0;
  for (const ProbeResult& result : results) {
    if (result.not_started) {
      ++not_started;
      EXPECT_EQ(result.status_code, 0);
      EXPECT_EQ(result.error, "not started: still queued at its start-by time");
      EXPECT_NE(result.tag, 6u);
    } else {
      ++started;
      EXPECT_EQ(result.status_code, 200) << result.error;
    }
  }
  // Started at 0 and 300 ms, maybe at ~600 ms if the clock was slow; the rest were too late.
  EXPECT_GE(not_started, 3);
  EXPECT_EQ(results[6].status_code, 200) << "the request without a start-by still ran";
  EXPECT_EQ(target.Served(), started);
}

TEST(ProberLifecycleTest, UnderABacklogTheNewestRequestStartsFirst) {
  SlowTarget target(300ms);
  ProberOptions options = WithLimit(1);
  options.newest_first_after = 200ms;
  CollectingProber running(options);
  std::vector<ProbeRequest> backlog = Requests(target.Url(), 8, 5000);
  for (ProbeRequest& request : backlog) request.start_by = std::chrono::system_clock::now() + 30s;
  running.prober.Submit(std::move(backlog));
  std::this_thread::sleep_for(450ms);
  running.prober.Submit({{9, target.Url(), 5000, std::chrono::system_clock::now() + 30s}});

  const std::vector<ProbeResult> results = running.collector.WaitFor(9, 30s);
  ASSERT_EQ(results.size(), 9u);
  const ProbeResult& fresh = results[8];
  ASSERT_EQ(fresh.tag, 9u);
  EXPECT_EQ(fresh.status_code, 200) << fresh.error;
  // Oldest first, it would have started last, behind seven probes of 300 ms.
  for (const uint64_t oldest : {1, 2, 3}) {
    EXPECT_LT(fresh.started_at, results[oldest].started_at) << "tag " << oldest;
  }
  for (const ProbeResult& result : results) EXPECT_EQ(result.status_code, 200) << result.error;
}

TEST(ProberLifecycleTest, StopCompletesEveryRequestWithAResult) {
  RawServer silent([](int fd, const RawServer& server) { HoldUntilClosed(fd, server); });
  CollectingProber running(WithLimit(3));
  ResultCollector& collector = running.collector;
  CurlMultiProber& prober = running.prober;
  prober.Submit(Requests(silent.Url(), 10, 60000));
  ASSERT_TRUE(lokahi::testing::WaitFor([&] { return silent.Connections() == 3; }, 5s));

  const auto started = std::chrono::steady_clock::now();
  prober.Stop(100ms);
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_GE(took, 100ms);
  EXPECT_LT(took, 2s);

  const std::vector<ProbeResult> results = collector.WaitFor(10, 0s);
  ASSERT_EQ(results.size(), 10u);
  for (size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(results[i].tag, i);
    EXPECT_EQ(results[i].status_code, 0);
    EXPECT_EQ(results[i].error, "prober stopped");
    EXPECT_TRUE(results[i].stopped);
  }
  EXPECT_EQ(prober.InFlight(), 0u);
  EXPECT_EQ(prober.Queued(), 0u);

  // Work arriving after Stop is answered at once rather than dropped.
  prober.Submit(Requests(silent.Url(), 2, 60000));
  const std::vector<ProbeResult> late = collector.WaitFor(12, 0s);
  ASSERT_EQ(late.size(), 12u);
  EXPECT_TRUE(late.back().stopped);
  prober.Stop(0ms);  // a second Stop is harmless
}

TEST(ProberLifecycleTest, StopLetsInFlightProbesFinishWithinGrace) {
  SlowTarget target(300ms);
  CollectingProber running(WithLimit(2));
  ResultCollector& collector = running.collector;
  CurlMultiProber& prober = running.prober;
  prober.Submit(Requests(target.Url(), 6, 10000));
  ASSERT_TRUE(lokahi::testing::WaitFor([&] { return prober.InFlight() == 2; }, 5s));
  prober.Stop(5s);

  const std::vector<ProbeResult> results = collector.WaitFor(6, 0s);
  ASSERT_EQ(results.size(), 6u);
  int answered = 0;
  for (const ProbeResult& result : results) {
    if (result.status_code == 200) {
      ++answered;
      EXPECT_FALSE(result.stopped);
    } else {
      EXPECT_EQ(result.error, "prober stopped");
      EXPECT_TRUE(result.stopped);
    }
  }
  EXPECT_EQ(answered, 2);  // the two in flight finished; the queued four were not started
}

TEST(ProberLifecycleTest, DestructorStopsARunningProber) {
  RawServer silent([](int fd, const RawServer& server) { HoldUntilClosed(fd, server); });
  ResultCollector collector;
  {
    CurlMultiProber prober(ProberOptions{}, collector.Handler());
    prober.Submit(Requests(silent.Url(), 5, 60000));
    ASSERT_TRUE(lokahi::testing::WaitFor([&] { return silent.Connections() == 5; }, 5s));
  }
  EXPECT_EQ(collector.WaitFor(5, 0s).size(), 5u);
}

}  // namespace
}  // namespace lokahi::probe
