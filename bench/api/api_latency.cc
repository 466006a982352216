// Measures Get and List latency against a running lokahid, as a client sees it.
// Usage: api_latency HOST:PORT [calls=2000] [user:pass] [twirp]
// Prints p50/p99/max per call kind and one JSON line. With "twirp", each Get and List (offset
// < 1000) is also made over Twirp (HTTP/1.1, protobuf, one keep-alive connection, as lokahi's
// clients call) right after the same call over gRPC, so both see the same moment of the machine.

#include <curl/curl.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "lib/auth/basic_auth.h"
#include "lokahi.grpc.pb.h"

namespace pb = github::xe::lokahi;
using Clock = std::chrono::steady_clock;

namespace {

struct Summary {
  double p50_ms, p99_ms, max_ms;
};

Summary Summarise(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  const auto at = [&](double q) { return ms[static_cast<size_t>(q * (ms.size() - 1))]; };
  return {at(0.5), at(0.99), ms.back()};
}

// Twirp calls over one keep-alive libcurl handle.
class TwirpClient {
 public:
  TwirpClient(const std::string& host_port, const std::optional<lokahi::auth::Credentials>& who)
      : curl_(curl_easy_init()), base_("http://" + host_port + "/twirp/github.xe.lokahi.Checks/") {
    headers_ = curl_slist_append(headers_, "Content-Type: application/protobuf");
    if (who) {
      headers_ = curl_slist_append(
          headers_, ("Authorization: " + lokahi::auth::BasicAuthorizationHeader(*who)).c_str());
    }
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers_);
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, +[](char* data, size_t, size_t n, void* out) {
      static_cast<std::string*>(out)->append(data, n);
      return n;
    });
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &answer_);
  }
  ~TwirpClient() {
    curl_slist_free_all(headers_);
    curl_easy_cleanup(curl_);
  }
  bool Call(const std::string& method, const google::protobuf::Message& request,
            google::protobuf::Message* response) {
    const std::string url = base_ + method;
    const std::string body = request.SerializeAsString();
    answer_.clear();
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    long status = 0;
    if (curl_easy_perform(curl_) != CURLE_OK) return false;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
    return status == 200 && response->ParseFromString(answer_);
  }

 private:
  CURL* curl_;
  curl_slist* headers_ = nullptr;
  std::string base_;
  std::string answer_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s HOST:PORT [calls] [user:pass] [twirp]\n", argv[0]);
    return 2;
  }
  const int calls = argc > 2 ? std::stoi(argv[2]) : 2000;
  std::optional<lokahi::auth::Credentials> credentials;
  if (argc > 3 && std::string(argv[3]) != "-") {
    credentials = lokahi::auth::ParseUserPass(argv[3]);
  }
  std::optional<TwirpClient> twirp;
  if (argc > 4 && std::string(argv[4]) == "twirp") twirp.emplace(argv[1], credentials);
  std::vector<double> twirp_get_ms, twirp_list_ms;
  auto stub = pb::Checks::NewStub(grpc::CreateChannel(argv[1], grpc::InsecureChannelCredentials()));
  const auto context = [&] {
    auto c = std::make_unique<grpc::ClientContext>();
    c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    if (credentials) c->AddMetadata("authorization", lokahi::auth::BasicAuthorizationHeader(*credentials));
    return c;
  };

  // Ids to Get: the first page, then pages spread through the table.
  std::vector<std::string> ids;
  long long total = 0;
  for (int offset : {0, 1000, 10000, 100000, 500000, 900000}) {
    pb::ListOpts opts;
    opts.set_count(100);
    opts.set_offset(offset);
    pb::ChecksPage page;
    if (!stub->List(context().get(), opts, &page).ok()) break;
    total = page.total();
    for (const auto& r : page.results()) ids.push_back(r.check().id());
  }
  if (ids.empty()) {
    std::fprintf(stderr, "no checks listed: is lokahid at %s with checks stored?\n", argv[1]);
    return 1;
  }
  std::mt19937 random(42);
  std::vector<double> get_ms, list_ms, deep_list_ms;
  for (int i = 0; i < calls; ++i) {
    pb::CheckID id;
    id.set_id(ids[random() % ids.size()]);
    pb::Check check;
    auto start = Clock::now();
    if (!stub->Get(context().get(), id, &check).ok()) return 1;
    get_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    if (twirp) {
      start = Clock::now();
      if (!twirp->Call("Get", id, &check)) return 1;
      twirp_get_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    }

    pb::ListOpts opts;
    opts.set_count(50);
    opts.set_offset(static_cast<int>(random() % 1000));
    pb::ChecksPage page;
    start = Clock::now();
    if (!stub->List(context().get(), opts, &page).ok()) return 1;
    list_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    if (twirp) {
      start = Clock::now();
      if (!twirp->Call("List", opts, &page)) return 1;
      twirp_list_ms.push_back(
          std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    }
    if (i % 10 == 0) {
      opts.set_offset(static_cast<int>(random() % std::max<long long>(total - 50, 1)));
      start = Clock::now();
      if (!stub->List(context().get(), opts, &page).ok()) return 1;
      deep_list_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    }
  }
  // Page tokens: walk the whole list a thousand at a time, then continue from random depths.
  std::vector<std::string> tokens;
  std::vector<double> walk_ms, token_list_ms;
  for (std::string token;;) {
    pb::ListOpts opts;
    opts.set_count(1000);
    opts.set_page_token(token);
    pb::ChecksPage page;
    const auto start = Clock::now();
    if (!stub->List(context().get(), opts, &page).ok()) return 1;
    walk_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    token = page.next_page_token();
    if (token.empty()) break;
    tokens.push_back(token);
  }
  for (int i = 0; i < calls / 10 && !tokens.empty(); ++i) {
    pb::ListOpts opts;
    opts.set_count(50);
    opts.set_page_token(tokens[random() % tokens.size()]);
    pb::ChecksPage page;
    const auto start = Clock::now();
    if (!stub->List(context().get(), opts, &page).ok()) return 1;
    token_list_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  if (token_list_ms.empty()) token_list_ms.push_back(0);

  const auto g = Summarise(get_ms), l = Summarise(list_ms), d = Summarise(deep_list_ms);
  const auto w = Summarise(walk_ms), t = Summarise(token_list_ms);
  std::printf("checks stored (List total): %lld\n", total);
  std::printf("%-28s %8s %8s %8s\n", "call", "p50 ms", "p99 ms", "max ms");
  std::printf("%-28s %8.2f %8.2f %8.2f\n", "Get", g.p50_ms, g.p99_ms, g.max_ms);
  std::printf("%-28s %8.2f %8.2f %8.2f\n", "List 50, offset < 1000", l.p50_ms, l.p99_ms, l.max_ms);
  std::printf("%-28s %8.2f %8.2f %8.2f\n", "List 50, any offset", d.p50_ms, d.p99_ms, d.max_ms);
  std::printf("%-28s %8.2f %8.2f %8.2f\n", "List 50, any page token", t.p50_ms, t.p99_ms, t.max_ms);
  std::printf("%-28s %8.2f %8.2f %8.2f  (%zu pages)\n", "List 1000, walking tokens", w.p50_ms,
              w.p99_ms, w.max_ms, walk_ms.size());
  if (twirp) {
    const auto tg = Summarise(twirp_get_ms), tl = Summarise(twirp_list_ms);
    std::printf("%-28s %8.2f %8.2f %8.2f  (p99 %.2fx gRPC's)\n", "Twirp Get", tg.p50_ms, tg.p99_ms,
                tg.max_ms, tg.p99_ms / g.p99_ms);
    std::printf("%-28s %8.2f %8.2f %8.2f  (p99 %.2fx gRPC's)\n", "Twirp List 50, offset < 1000",
                tl.p50_ms, tl.p99_ms, tl.max_ms, tl.p99_ms / l.p99_ms);
    std::printf("{\"twirp_get_p50_ms\":%.3f,\"twirp_get_p99_ms\":%.3f,\"twirp_list_p50_ms\":%.3f,"
                "\"twirp_list_p99_ms\":%.3f}\n",
                tg.p50_ms, tg.p99_ms, tl.p50_ms, tl.p99_ms);
  }
  std::printf("{\"checks\":%lld,\"get_p50_ms\":%.3f,\"get_p99_ms\":%.3f,\"list_p50_ms\":%.3f,"
              "\"list_p99_ms\":%.3f,\"deep_list_p99_ms\":%.3f,\"token_list_p99_ms\":%.3f}\n",
              total, g.p50_ms, g.p99_ms, l.p50_ms, l.p99_ms, d.p99_ms, t.p99_ms);
  return 0;
}
