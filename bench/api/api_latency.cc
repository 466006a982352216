// Measures Get and List latency against a running lokahid, as a client sees it.
// Usage: api_latency HOST:PORT [calls=2000] [user:pass] [twirp]
// Prints p50/p99/max per call kind (filtered first pages too: seed them with seed_filters.sql) and
// one JSON line. With "twirp", each Get and List (offset
// < 1000) is also made over Twirp in protobuf and in JSON (HTTP/1.1, one keep-alive connection
// each, as lokahi's clients call) next to the same call over gRPC, the three in a rotating order,
// so every transport sees the same moments of the machine and none is always first.

#include <curl/curl.h>
#include <google/protobuf/util/json_util.h>
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

// Twirp calls over one keep-alive libcurl handle, in protobuf or (json) the JSON mapping.
class TwirpClient {
 public:
  TwirpClient(const std::string& host_port, const std::optional<lokahi::auth::Credentials>& who,
              bool json)
      : curl_(curl_easy_init()),
        base_("http://" + host_port + "/twirp/github.xe.lokahi.Checks/"),
        json_(json) {
    headers_ = curl_slist_append(
        headers_, json ? "Content-Type: application/json" : "Content-Type: application/protobuf");
    if (who) {
      headers_ = curl_slist_append(
          headers_, ("Authorization: " + lokahi::auth::BasicAuthorizationHeader(*who)).c_str());
    }
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers_);
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(
        curl_, CURLOPT_WRITEFUNCTION, +[](char* data, size_t, size_t n, void* out) {
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
    std::string body;
    if (!json_) {
      body = request.SerializeAsString();
    } else if (!google::protobuf::util::MessageToJsonString(request, &body).ok()) {
      return false;
    }
    answer_.clear();
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    long status = 0;
    if (curl_easy_perform(curl_) != CURLE_OK) return false;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200) return false;
    if (!json_) return response->ParseFromString(answer_);
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = true;
    return google::protobuf::util::JsonStringToMessage(answer_, response, options).ok();
  }

 private:
  CURL* curl_;
  curl_slist* headers_ = nullptr;
  std::string base_;
  std::string answer_;
  bool json_;
};

double MillisecondsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

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
  std::optional<TwirpClient> twirp, twirp_json;
  if (argc > 4 && std::string(argv[4]) == "twirp") {
    twirp.emplace(argv[1], credentials, /*json=*/false);
    twirp_json.emplace(argv[1], credentials, /*json=*/true);
  }
  std::vector<double> twirp_get_ms, twirp_list_ms, json_get_ms, json_list_ms;
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
    pb::ListOpts opts;
    opts.set_count(50);
    opts.set_offset(static_cast<int>(random() % 1000));
    pb::Check check;
    pb::ChecksPage page;
    // The same Get and List through each door, the doors' order rotating with i.
    const auto grpc_calls = [&] {
      auto start = Clock::now();
      if (!stub->Get(context().get(), id, &check).ok()) return false;
      get_ms.push_back(MillisecondsSince(start));
      start = Clock::now();
      if (!stub->List(context().get(), opts, &page).ok()) return false;
      list_ms.push_back(MillisecondsSince(start));
      return true;
    };
    const auto twirp_calls = [&](TwirpClient& client, std::vector<double>& get,
                                 std::vector<double>& list) {
      auto start = Clock::now();
      if (!client.Call("Get", id, &check)) return false;
      get.push_back(MillisecondsSince(start));
      start = Clock::now();
      if (!client.Call("List", opts, &page)) return false;
      list.push_back(MillisecondsSince(start));
      return true;
    };
    for (int door = 0; door < (twirp ? 3 : 1); ++door) {
      bool ok = true;
      switch ((door + i) % (twirp ? 3 : 1)) {
        case 0:
          ok = grpc_calls();
          break;
        case 1:
          ok = twirp_calls(*twirp, twirp_get_ms, twirp_list_ms);
          break;
        default:
          ok = twirp_calls(*twirp_json, json_get_ms, json_list_ms);
      }
      if (!ok) {
        std::fprintf(stderr, "a call failed (door %d)\n", (door + i) % 3);
        return 1;
      }
    }
    if (i % 10 == 0) {
      opts.set_offset(static_cast<int>(random() % std::max<long long>(total - 50, 1)));
      const auto start = Clock::now();
      if (!stub->List(context().get(), opts, &page).ok()) return 1;
      deep_list_ms.push_back(MillisecondsSince(start));
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
    token_list_ms.push_back(
        std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  if (token_list_ms.empty()) token_list_ms.push_back(0);

  // Filtered first pages (issue 17). Meaningful over data seeded as bench/api/seed_filters.sql
  // does (labels, names, some DOWN checks); elsewhere they measure mostly empty answers.
  struct Filtered {
    const char* name;
    pb::ListOpts opts;
    std::vector<double> ms;
  };
  std::vector<Filtered> filtered(5);
  filtered[0].name = "List 50 --state DOWN";
  filtered[0].opts.set_state(pb::Check::DOWN);
  filtered[1].name = "List 50 --selector team=…";
  filtered[1].opts.set_selector("team=payments");
  filtered[2].name = "List 50 team=…,env!=dev";
  filtered[2].opts.set_selector("team=payments,env!=dev");
  filtered[3].name = "List 50 --search";
  filtered[3].opts.set_search("api-7");
  filtered[4].name = "List 50 state+selector+search";
  filtered[4].opts.set_state(pb::Check::DOWN);
  filtered[4].opts.set_selector("team=payments");
  filtered[4].opts.set_search("api");
  for (int i = 0; i < std::max(calls / 10, 1); ++i) {
    for (auto& f : filtered) {
      f.opts.set_count(50);
      pb::ChecksPage page;
      const auto start = Clock::now();
      if (!stub->List(context().get(), f.opts, &page).ok()) return 1;
      f.ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    }
  }

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
  for (const auto& f : filtered) {
    const auto summary = Summarise(f.ms);
    std::printf("%-28s %8.2f %8.2f %8.2f\n", f.name, summary.p50_ms, summary.p99_ms,
                summary.max_ms);
  }
  if (twirp) {
    const auto tg = Summarise(twirp_get_ms), tl = Summarise(twirp_list_ms);
    const auto jg = Summarise(json_get_ms), jl = Summarise(json_list_ms);
    const auto row = [](const char* name, Summary s, Summary grpc) {
      std::printf("%-28s %8.2f %8.2f %8.2f  (p50 %.2fx, p99 %.2fx gRPC's)\n", name, s.p50_ms,
                  s.p99_ms, s.max_ms, s.p50_ms / grpc.p50_ms, s.p99_ms / grpc.p99_ms);
    };
    row("Twirp protobuf Get", tg, g);
    row("Twirp JSON Get", jg, g);
    row("Twirp protobuf List 50", tl, l);
    row("Twirp JSON List 50", jl, l);
    std::printf(
        "{\"twirp_get_p50_ms\":%.3f,\"twirp_get_p99_ms\":%.3f,\"twirp_list_p50_ms\":%.3f,"
        "\"twirp_list_p99_ms\":%.3f,\"json_get_p50_ms\":%.3f,\"json_get_p99_ms\":%.3f,"
        "\"json_list_p50_ms\":%.3f,\"json_list_p99_ms\":%.3f}\n",
        tg.p50_ms, tg.p99_ms, tl.p50_ms, tl.p99_ms, jg.p50_ms, jg.p99_ms, jl.p50_ms, jl.p99_ms);
  }
  double filtered_p99_ms = 0;
  for (const auto& f : filtered) filtered_p99_ms = std::max(filtered_p99_ms, Summarise(f.ms).p99_ms);
  std::printf("{\"checks\":%lld,\"get_p50_ms\":%.3f,\"get_p99_ms\":%.3f,\"list_p50_ms\":%.3f,"
              "\"list_p99_ms\":%.3f,\"deep_list_p99_ms\":%.3f,\"token_list_p99_ms\":%.3f,"
              "\"filtered_list_p99_ms\":%.3f}\n",
              total, g.p50_ms, g.p99_ms, l.p50_ms, l.p99_ms, d.p99_ms, t.p99_ms, filtered_p99_ms);
  return 0;
}
