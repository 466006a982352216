// HTTP load on lokahid's POST /events, for bench/alerts/run (no figures of its own beyond what the
// client sees: submissions per second and request latency).
//
//   alerts_load ingest URL SECONDS BATCH CONNECTIONS
//     each connection POSTs arrays of BATCH alerts (BATCH 1: single objects) back to back over
//     one keep-alive connection for SECONDS; every answer must be 200 (each request is committed
//     before its answer). Prints submissions/s and request latency p50/p99.
//   alerts_load ceiling URL SECONDS BATCH CONNECTIONS
//     the same requests with the last item of each lacking its raise time: lokahid reads,
//     authenticates, parses and validates all of it and answers 400 without touching Postgres.
//     What ingest would reach if storing cost nothing, on the box as loaded during this run:
//     ingest's rate divided by it is the share of the ceiling.
//   alerts_load heartbeats URL ALERTS PERIOD SECONDS STOP BATCH CONNECTIONS
//     ALERTS heartbeats "hb-<n>", each re-sent every PERIOD seconds with raise +(PERIOD+30)s, in
//     batches of BATCH spread evenly over the period; after a first full round (seeding) STOP of
//     them (every ALERTS/STOP-th, so their due times spread over the period) stop being sent, the
//     rest go on for SECONDS. Prints whether the refresh rate
//     kept up and the Unix time the stopped ones were last sent.

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

size_t Discard(char*, size_t size, size_t count, void*) { return size * count; }

class Poster {
 public:
  explicit Poster(const std::string& url) : curl_(curl_easy_init()) {
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    // http://user:pass@host/events: libcurl sends the userinfo as Basic credentials.
    curl_easy_setopt(curl_, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, Discard);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &answer_);
    headers_ = curl_slist_append(nullptr, "Content-Type: application/json");
    headers_ = curl_slist_append(headers_, "Expect:");
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers_);
  }
  ~Poster() {
    curl_slist_free_all(headers_);
    curl_easy_cleanup(curl_);
  }
  // The HTTP status, 0 when no answer came.
  long Post(const std::string& body) {
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    if (curl_easy_perform(curl_) != CURLE_OK) return 0;
    long status = 0;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
    return status;
  }

 private:
  CURL* curl_;
  curl_slist* headers_;
  std::string answer_;
};

std::string Item(const std::string& id, const std::string& raise) {
  return R"({"id":")" + id + R"(","raise":")" + raise + R"(","subject":"bench )" + id + R"("})";
}

std::string Batch(const std::vector<std::string>& items) {
  if (items.size() == 1) return items[0];
  std::string body = "[";
  for (size_t i = 0; i < items.size(); ++i) body += (i ? "," : "") + items[i];
  return body + "]";
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<size_t>(p * values.size()))];
}

// `refused`: the ceiling (every answer must be 400, nothing is stored).
int Ingest(const std::string& url, int seconds, int batch, int connections, bool refused) {
  std::atomic<long long> submitted{0};
  std::atomic<long> failed{0};
  std::mutex latency_mutex;
  std::vector<double> latencies_ms;
  const auto deadline = Clock::now() + std::chrono::seconds(seconds);
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < connections; ++c) {
    threads.emplace_back([&, c] {
      Poster poster(url);
      std::vector<double> mine;
      long long n = 0;
      while (Clock::now() < deadline) {
        std::vector<std::string> items;
        for (int i = 0; i < batch; ++i, ++n) {
          // 20,000 distinct alerts per connection: updates of existing rows, as heartbeats are.
          items.push_back(
              Item("ing-" + std::to_string(c) + "-" + std::to_string(n % 20000), "+1h"));
        }
        if (refused) items.back() = R"({"id":"ceiling","subject":"no raise time"})";
        const auto sent = Clock::now();
        const long status = poster.Post(Batch(items));
        mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
        if (status == (refused ? 400 : 200)) {
          submitted += batch;
        } else {
          ++failed;
        }
      }
      std::lock_guard lock(latency_mutex);
      latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
    });
  }
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf(
      "{\"mode\":\"%s\",\"batch\":%d,\"connections\":%d,\"seconds\":%.1f,\"submissions\":%lld,"
      "\"submissions_per_s\":%.0f,\"requests\":%zu,\"failed_requests\":%ld,\"p50_ms\":%.2f,"
      "\"p99_ms\":%.2f}\n",
      refused ? "ceiling" : "ingest", batch, connections, elapsed, submitted.load(),
      submitted.load() / elapsed, latencies_ms.size(), failed.load(),
      Percentile(latencies_ms, 0.50), Percentile(latencies_ms, 0.99));
  return failed.load() == 0 ? 0 : 1;
}

int Heartbeats(const std::string& url, int alerts, int period, int seconds, int stop, int batch,
               int connections) {
  const std::string raise = "+" + std::to_string(period + 30) + "s";
  const int batches_per_round = (alerts + batch - 1) / batch;
  // Batch b of round r is due at start + r * period + b * period / batches_per_round.
  const auto start = Clock::now();
  const auto interval =
      std::chrono::duration<double>(static_cast<double>(period) / batches_per_round);
  const int rounds = 1 + (seconds + period - 1) / period;
  // Every step-th heartbeat stops, so their due times spread over a whole period.
  const int step = stop > 0 ? std::max(1, alerts / stop) : 1;
  std::atomic<long> next{0}, failed{0}, late_batches{0};
  std::atomic<long long> sent{0};
  std::atomic<long long> last_stopped_send_unix{0};
  const long total = static_cast<long>(rounds) * batches_per_round;
  std::vector<std::thread> threads;
  for (int c = 0; c < connections; ++c) {
    threads.emplace_back([&] {
      Poster poster(url);
      for (long k = next++; k < total; k = next++) {
        const int round = static_cast<int>(k / batches_per_round);
        const int b = static_cast<int>(k % batches_per_round);
        const auto due =
            start + std::chrono::duration_cast<Clock::duration>(interval * static_cast<double>(k));
        if (Clock::now() > due + std::chrono::seconds(1)) ++late_batches;
        std::this_thread::sleep_until(due);
        std::vector<std::string> items;
        bool has_stopped = false;
        for (int i = b * batch; i < std::min(alerts, (b + 1) * batch); ++i) {
          const bool stopped = stop > 0 && i % step == 0;
          if (round > 0 && stopped) continue;  // stopped after the seeding round
          has_stopped |= stopped;
          items.push_back(Item("hb-" + std::to_string(i), raise));
        }
        if (items.empty()) continue;
        if (poster.Post(Batch(items)) != 200) {
          ++failed;
          continue;
        }
        sent += static_cast<long long>(items.size());
        if (has_stopped) {
          const long long now = std::chrono::duration_cast<std::chrono::seconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count();
          long long seen = last_stopped_send_unix.load();
          while (now > seen && !last_stopped_send_unix.compare_exchange_weak(seen, now)) {
          }
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf(
      "{\"mode\":\"heartbeats\",\"alerts\":%d,\"period_s\":%d,\"rounds\":%d,\"elapsed_s\":%.1f,"
      "\"sent\":%lld,\"per_s\":%.0f,\"late_batches\":%ld,\"failed_requests\":%ld,"
      "\"stopped\":%d,\"stopped_last_sent_unix\":%lld}\n",
      alerts, period, rounds, elapsed, sent.load(), sent.load() / elapsed, late_batches.load(),
      failed.load(), stop, last_stopped_send_unix.load());
  return failed.load() == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  const std::string mode = argc > 1 ? argv[1] : "";
  if ((mode == "ingest" || mode == "ceiling") && argc == 6) {
    return Ingest(argv[2], std::atoi(argv[3]), std::atoi(argv[4]), std::atoi(argv[5]),
                  mode == "ceiling");
  }
  if (mode == "heartbeats" && argc == 9) {
    return Heartbeats(argv[2], std::atoi(argv[3]), std::atoi(argv[4]), std::atoi(argv[5]),
                      std::atoi(argv[6]), std::atoi(argv[7]), std::atoi(argv[8]));
  }
  std::fprintf(stderr,
               "usage: alerts_load ingest|ceiling URL SECONDS BATCH CONNECTIONS\n"
               "       alerts_load heartbeats URL ALERTS PERIOD SECONDS STOP BATCH CONNECTIONS\n");
  return 2;
}
