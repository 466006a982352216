// lokahi's API over Twirp (HTTP/1.1) on lokahid's one port, through a real lokahid, Postgres and
// nats-server: every method in protobuf and JSON, the same error statuses as gRPC, lokahi's
// admin calls as lokahi's lokahictl makes them, failed-auth throttling, and hostile HTTP/1.1
// clients while gRPC keeps serving.

#include <arpa/inet.h>
#include <curl/curl.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <functional>
#include <future>
#include <memory>
#include <set>
#include <thread>

#include "lib/auth/basic_auth.h"
#include "lokahi.grpc.pb.h"
#include "lokahiadmin.pb.h"
#include "tests/support/daemon.h"
#include "tests/support/lokahid_under_test.h"
#include "tests/support/ports.h"
#include "tests/support/raw_http.h"
#include "tests/support/shared_services.h"

namespace lokahi {
namespace {

namespace pb = github::xe::lokahi;
using namespace std::chrono_literals;
using testing::Services;

constexpr char kChecks[] = "/twirp/github.xe.lokahi.Checks/";
constexpr char kRunLocal[] = "/twirp/github.xe.lokahi.admin.RunLocal/";
using testing::HttpAnswer;
using testing::HttpClient;
using testing::kJson;
using testing::kProtobuf;
using testing::TwirpError;

class TwirpApiTest : public ::testing::Test {
 protected:
  void SetUp() override { database_url_ = Services().postgres.NewDatabase(); }

  void StartLokahid(std::map<std::string, std::string> extra = {}) {
    extra.emplace("LOKAHI_MIN_EVERY", "1");
    lokahid_ = std::make_unique<testing::LokahidUnderTest>(std::move(extra), database_url_);
    port_ = lokahid_->port();
    channel_ = lokahid_->channel();
    stub_ = pb::Checks::NewStub(channel_);
  }

  std::string Url(const std::string& path) { return lokahid_->Url(path); }

  // A Twirp call in `encoding`; every Twirp answer, error or not, must not be cached.
  HttpAnswer Call(const std::string& path, const google::protobuf::Message& request,
                  const std::string& encoding, google::protobuf::Message* response,
                  std::optional<auth::Credentials> credentials = std::nullopt) {
    auto answer = lokahid_->Twirp(path, request, encoding, response, credentials);
    EXPECT_EQ(answer.Header("cache-control"), "no-store") << path;
    return answer;
  }

  std::unique_ptr<grpc::ClientContext> Context(
      std::optional<auth::Credentials> credentials = std::nullopt) {
    return testing::CallContext(credentials);
  }

  bool GrpcServes() {
    pb::ChecksPage page;
    return stub_->List(Context(right_).get(), pb::ListOpts(), &page).ok() ||
           stub_->List(Context().get(), pb::ListOpts(), &page).ok();
  }

  pb::CreateOpts ValidOpts() {
    pb::CreateOpts opts;
    opts.set_url("http://127.0.0.1:9/health");
    opts.set_webhook_url("http://127.0.0.1:9/hook");
    opts.set_every(60);
    return opts;
  }

  const auth::Credentials right_{"AzureDiamond", "hunter2"};
  std::unique_ptr<testing::LokahidUnderTest> lokahid_;
  std::string database_url_;
  int port_ = 0;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<pb::Checks::Stub> stub_;
  HttpClient http_;
};

TEST_F(TwirpApiTest, EveryChecksMethodWorksInProtobufAndJson) {
  StartLokahid();
  for (const std::string encoding : {kProtobuf, kJson}) {
    SCOPED_TRACE(encoding);
    pb::Check created;
    auto opts = ValidOpts();
    opts.set_playbook_url("https://wiki.example.com/p");
    ASSERT_EQ(Call(std::string(kChecks) + "Create", opts, encoding, &created).status, 200);
    EXPECT_EQ(created.url(), opts.url());
    EXPECT_EQ(created.every(), 60);
    pb::CheckID id;
    id.set_id(created.id());

    pb::Check got;
    ASSERT_EQ(Call(std::string(kChecks) + "Get", id, encoding, &got).status, 200);
    EXPECT_EQ(got.SerializeAsString(), created.SerializeAsString());

    pb::ListOpts list;
    list.set_count(10);
    pb::ChecksPage page;
    ASSERT_EQ(Call(std::string(kChecks) + "List", list, encoding, &page).status, 200);
    bool listed = false;
    for (const auto& r : page.results()) listed |= r.check().id() == created.id();
    EXPECT_TRUE(listed);

    pb::Check patch;
    patch.set_id(created.id());
    patch.set_every(120);
    pb::Check updated;
    ASSERT_EQ(Call(std::string(kChecks) + "Put", patch, encoding, &updated).status, 200);
    EXPECT_EQ(updated.every(), 120);
    EXPECT_EQ(updated.url(), opts.url());

    pb::CheckStatus status;
    ASSERT_EQ(Call(std::string(kChecks) + "Status", id, encoding, &status).status, 200);
    EXPECT_EQ(status.check().id(), created.id());

    pb::PipelineStats stats;
    ASSERT_EQ(Call(std::string(kChecks) + "RunStats", pb::Nil(), encoding, &stats).status, 200);

    pb::DeliveriesPage deliveries;
    ASSERT_EQ(Call(std::string(kChecks) + "Deliveries", id, encoding, &deliveries).status, 200);
    EXPECT_EQ(deliveries.deliveries_size(), 0);

    pb::Check deleted;
    ASSERT_EQ(Call(std::string(kChecks) + "Delete", id, encoding, &deleted).status, 200);
    EXPECT_EQ(deleted.every(), 120);
    const auto gone = Call(std::string(kChecks) + "Get", id, encoding, &got);
    EXPECT_EQ(gone.status, 404);
    EXPECT_EQ(TwirpError(gone.body).first, "not_found");
  }
}

TEST_F(TwirpApiTest, RunAndLokahisAdminCallsProbeThroughAHealthworkerAsLokahictlDoes) {
  StartLokahid();
  const std::map<std::string, std::string> backends = {{"DATABASE_URL", database_url_},
                                                       {"NATS_URL", Services().nats.Url()},
                                                       {"LOKAHI_BATCH_MAX_DELAY_MS", "50"}};
  auto healthworker = testing::StartDaemon("healthworker/healthworker", backends);
  const int duke_port = testing::FreePort();
  auto duke = testing::StartDaemon("receivers/duke-of-york",
                                   {{"PORT", std::to_string(duke_port)}, {"DUKE_PERIOD", "86400"}},
                                   duke_port);
  auto opts = ValidOpts();
  opts.set_url("http://127.0.0.1:" + std::to_string(duke_port) + "/");
  pb::Check created;
  ASSERT_EQ(Call(std::string(kChecks) + "Create", opts, kProtobuf, &created).status, 200);

  pb::CheckID id;
  id.set_id(created.id());
  pb::CheckStatus ran;
  // The worker answers once it has subscribed.
  ASSERT_TRUE(testing::WaitFor(
      [&] { return Call(std::string(kChecks) + "Run", id, kProtobuf, &ran).status == 200; }, 30s))
      << healthworker->Log();
  for (const std::string encoding : {kProtobuf, kJson}) {
    SCOPED_TRACE(encoding);
    ran.Clear();
    const auto run = Call(std::string(kChecks) + "Run", id, encoding, &ran);
    ASSERT_EQ(run.status, 200) << run.body << healthworker->Log();
    EXPECT_EQ(ran.resp_status_code(), 200);
    EXPECT_EQ(ran.check().id(), created.id());
  }

  // Runs waiting on a target that never answers do not hold up other calls.
  int silent_port = 0;
  const int silent = testing::ListenOnLoopback(&silent_port, 64);
  auto slow_opts = ValidOpts();
  slow_opts.set_url("http://127.0.0.1:" + std::to_string(silent_port) + "/");
  slow_opts.set_timeout_ms(4000);
  pb::Check slow;
  ASSERT_EQ(Call(std::string(kChecks) + "Create", slow_opts, kProtobuf, &slow).status, 200);
  std::vector<std::thread> runs;
  std::atomic<int> runs_done{0};
  for (int i = 0; i < 4; ++i) {
    runs.emplace_back([&] {
      HttpClient client;
      pb::CheckID slow_id;
      slow_id.set_id(slow.id());
      client.Send("POST", Url(std::string(kChecks) + "Run"), slow_id.SerializeAsString(),
                  {"Content-Type: application/protobuf"});
      ++runs_done;
    });
  }
  std::this_thread::sleep_for(500ms);  // the runs are waiting on their probes by now
  pb::ChecksPage page;
  EXPECT_EQ(Call(std::string(kChecks) + "List", pb::ListOpts(), kJson, &page).status, 200);
  EXPECT_EQ(runs_done.load(), 0) << "List was answered while the four runs still waited";
  for (auto& run : runs) run.join();
  close(silent);

  // lokahi's lokahictl `run ID` and `runstats`: protobuf, lokahi's admin messages.
  pb::admin::CheckIDs ids;
  ids.add_ids(created.id());
  pb::admin::Run run;
  const auto checks = Call(std::string(kRunLocal) + "Checks", ids, kProtobuf, &run);
  ASSERT_EQ(checks.status, 200) << checks.body;
  EXPECT_TRUE(run.finished());
  EXPECT_EQ(run.cids().ids_size(), 1);
  ASSERT_EQ(run.results().count(created.id()), 1u);
  const auto& health = run.results().at(created.id());
  EXPECT_EQ(health.url(), opts.url());
  EXPECT_EQ(health.status_code(), 200);
  EXPECT_TRUE(health.healthy());
  EXPECT_GT(health.response_time_nanoseconds(), 0);
  EXPECT_GT(run.start_time_unix(), 1700000000);

  pb::admin::HistogramData histogram;
  const auto stats =
      Call(std::string(kRunLocal) + "Stats", pb::admin::Nil(), kProtobuf, &histogram);
  ASSERT_EQ(stats.status, 200) << stats.body;
  // Three probes above, recorded by the worker's batcher shortly after.
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        Call(std::string(kRunLocal) + "Stats", pb::admin::Nil(), kProtobuf, &histogram);
        return histogram.p50_nanoseconds() > 0;
      },
      20s));
  EXPECT_GE(histogram.max_nanoseconds(), histogram.p99_nanoseconds());
  EXPECT_GE(histogram.p99_nanoseconds(), histogram.p50_nanoseconds());
  EXPECT_GT(histogram.min_nanoseconds(), 0);
}

TEST_F(TwirpApiTest, JsonTakesBothNameFormsIgnoresUnknownFieldsAndAnswersProtoNames) {
  StartLokahid();
  const auto answer =
      http_.Send("POST", Url(std::string(kChecks) + "Create"),
                 R"({"url":"http://127.0.0.1:9/a","webhookUrl":"http://127.0.0.1:9/h","every":30,)"
                 R"("failure_threshold":2,"some_future_field":{"x":1}})",
                 {"Content-Type: application/json; charset=utf-8"});
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.Header("content-type"), "application/json");
  EXPECT_NE(answer.body.find("\"webhook_url\":\"http://127.0.0.1:9/h\""), std::string::npos)
      << answer.body;
  EXPECT_NE(answer.body.find("\"failure_threshold\":2"), std::string::npos) << answer.body;
  EXPECT_EQ(answer.body.find("webhookUrl"), std::string::npos) << answer.body;
}

TEST_F(TwirpApiTest, ProtocolMistakesGetTwirpsBadRouteAndMalformed) {
  StartLokahid();
  struct Case {
    std::string name, method, path, content_type, body;
    long status;
    std::string code;
  };
  const std::vector<Case> cases = {
      {"GET", "GET", std::string(kChecks) + "List", kJson, "", 404, "bad_route"},
      {"unknown method", "POST", std::string(kChecks) + "Frobnicate", kJson, "{}", 404,
       "bad_route"},
      {"unknown service", "POST", "/twirp/github.xe.lokahi.Nope/List", kJson, "{}", 404,
       "bad_route"},
      {"not twirp", "POST", "/", kJson, "{}", 404, "bad_route"},
      {"text/plain", "POST", std::string(kChecks) + "List", "text/plain", "{}", 404, "bad_route"},
      {"bad protobuf", "POST", std::string(kChecks) + "List", kProtobuf, "\xff\xff\xff", 400,
       "malformed"},
      {"bad json", "POST", std::string(kChecks) + "List", kJson, "{\"count\":", 400, "malformed"},
      {"json of wrong type", "POST", std::string(kChecks) + "List", kJson, "{\"count\":\"x\"}", 400,
       "malformed"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto answer =
        http_.Send(c.method, Url(c.path), c.body, {"Content-Type: " + c.content_type});
    EXPECT_EQ(answer.status, c.status) << answer.body;
    EXPECT_EQ(answer.Header("content-type"), "application/json");
    EXPECT_EQ(answer.Header("cache-control"), "no-store");
    EXPECT_EQ(TwirpError(answer.body).first, c.code) << answer.body;
    EXPECT_FALSE(TwirpError(answer.body).second.empty());
    EXPECT_TRUE(answer.body.starts_with("{\"code\":\"" + c.code + "\",\"msg\":\""))
        << "Twirp's field order: " << answer.body;
  }
}

// One table of API errors, driven through gRPC and Twirp: the same status on each.
TEST_F(TwirpApiTest, ErrorsAreTheSameOverGrpcAndTwirp) {
  StartLokahid({{"USERPASS", "AzureDiamond:hunter2"}, {"LOKAHI_AUTH_MAX_FAILURES", "0"}});
  pb::Check existing;
  ASSERT_TRUE(stub_->Create(Context(right_).get(), ValidOpts(), &existing).ok());
  const std::string unknown = "a5c7179a-0d3a-11e8-b53d-8faa88cfa70c";
  auto id = [](const std::string& text) {
    pb::CheckID m;
    m.set_id(text);
    return m;
  };
  auto create_every = [&](int every) {
    auto opts = ValidOpts();
    opts.set_every(every);
    return opts;
  };
  pb::ListOpts too_many;
  too_many.set_count(5000);
  pb::ListOpts bad_token;
  bad_token.set_page_token("nonsense");
  pb::Check put_unknown;
  put_unknown.set_id(unknown);
  pb::Check put_bad;
  put_bad.set_id(existing.id());
  put_bad.set_url("ftp://x/");

  struct Case {
    std::string name;
    std::string method;
    std::shared_ptr<google::protobuf::Message> request;
    std::optional<auth::Credentials> credentials;
    grpc::StatusCode grpc;
    long http;
    std::string twirp;
  };
  const auth::Credentials wrong_password{"AzureDiamond", "hunter3"};
  const auth::Credentials wrong_user{"azurediamond", "hunter2"};
  auto msg = [](auto m) { return std::make_shared<decltype(m)>(m); };
  const std::vector<Case> cases = {
      {"Get no id", "Get", msg(id("")), right_, grpc::INVALID_ARGUMENT, 400, "invalid_argument"},
      {"Get bad id", "Get", msg(id("x")), right_, grpc::INVALID_ARGUMENT, 400, "invalid_argument"},
      {"Get unknown", "Get", msg(id(unknown)), right_, grpc::NOT_FOUND, 404, "not_found"},
      {"Delete unknown", "Delete", msg(id(unknown)), right_, grpc::NOT_FOUND, 404, "not_found"},
      {"Status unknown", "Status", msg(id(unknown)), right_, grpc::NOT_FOUND, 404, "not_found"},
      {"Deliveries unknown", "Deliveries", msg(id(unknown)), right_, grpc::NOT_FOUND, 404,
       "not_found"},
      {"Put unknown", "Put", msg(put_unknown), right_, grpc::NOT_FOUND, 404, "not_found"},
      {"Put bad url", "Put", msg(put_bad), right_, grpc::INVALID_ARGUMENT, 400, "invalid_argument"},
      {"Create every -5", "Create", msg(create_every(-5)), right_, grpc::INVALID_ARGUMENT, 400,
       "invalid_argument"},
      {"List count", "List", msg(too_many), right_, grpc::INVALID_ARGUMENT, 400,
       "invalid_argument"},
      {"List token", "List", msg(bad_token), right_, grpc::INVALID_ARGUMENT, 400,
       "invalid_argument"},
      {"no credentials", "List", msg(pb::ListOpts()), std::nullopt, grpc::UNAUTHENTICATED, 401,
       "unauthenticated"},
      {"wrong password", "Get", msg(id(existing.id())), wrong_password, grpc::UNAUTHENTICATED, 401,
       "unauthenticated"},
      {"wrong user", "Create", msg(ValidOpts()), wrong_user, grpc::UNAUTHENTICATED, 401,
       "unauthenticated"},
  };
  std::set<std::string> unauthenticated_messages;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    // gRPC, through the generic stub so one table serves every method.
    grpc::GenericStub generic(channel_);
    auto context = Context(c.credentials);
    std::string bytes;
    c.request->SerializeToString(&bytes);
    grpc::Slice slice(bytes);
    grpc::ByteBuffer request(&slice, 1), response;
    std::promise<grpc::Status> done;
    generic.UnaryCall(context.get(), "/github.xe.lokahi.Checks/" + c.method, grpc::StubOptions(),
                      &request, &response, [&](grpc::Status s) { done.set_value(std::move(s)); });
    const auto grpc_status = done.get_future().get();
    EXPECT_EQ(grpc_status.error_code(), c.grpc) << grpc_status.error_message();

    pb::Nil ignored;
    const auto answer =
        Call(std::string(kChecks) + c.method, *c.request, kJson, &ignored, c.credentials);
    EXPECT_EQ(answer.status, c.http) << answer.body;
    const auto [code, message] = TwirpError(answer.body);
    EXPECT_EQ(code, c.twirp);
    EXPECT_EQ(message, grpc_status.error_message()) << "the same words on both transports";
    if (c.grpc == grpc::UNAUTHENTICATED) unauthenticated_messages.insert(message);
  }
  EXPECT_EQ(unauthenticated_messages.size(), 1u) << "one answer for every auth failure";
}

// Issue 13, defect 17: password guessing is throttled per client address on both transports.
TEST_F(TwirpApiTest, ThreeThousandWrongPasswordsAreRefusedWhileOtherAddressesWork) {
  StartLokahid({{"USERPASS", "AzureDiamond:hunter2"}});
  const auth::Credentials guess{"AzureDiamond", "guess"};
  std::map<long, int> by_status;
  for (int i = 0; i < 3000; ++i) {
    pb::ChecksPage page;
    ++by_status[Call(std::string(kChecks) + "List", pb::ListOpts(), kProtobuf, &page, guess)
                    .status];
  }
  EXPECT_EQ(by_status[401], 10) << "LOKAHI_AUTH_MAX_FAILURES' worth of answers";
  EXPECT_EQ(by_status[429], 2990);
  // Even the right password from the guessing address waits out the window...
  pb::ChecksPage page;
  const auto blocked =
      Call(std::string(kChecks) + "List", pb::ListOpts(), kProtobuf, &page, right_);
  EXPECT_EQ(blocked.status, 429);
  EXPECT_EQ(TwirpError(blocked.body).first, "resource_exhausted");
  // ...and gRPC from it is refused too.
  EXPECT_EQ(stub_->List(Context(right_).get(), pb::ListOpts(), &page).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  // A good client at another address is unaffected.
  HttpClient other("127.0.0.2");
  const auto fine = other.Send("POST", Url(std::string(kChecks) + "List"), "{}",
                               {"Content-Type: application/json",
                                "Authorization: " + auth::BasicAuthorizationHeader(right_)});
  EXPECT_EQ(fine.status, 200) << fine.body;
}

TEST_F(TwirpApiTest, ForwardedForCountsOnlyFromTrustedProxies) {
  StartLokahid({{"USERPASS", "AzureDiamond:hunter2"},
                {"LOKAHI_TRUSTED_PROXIES", "127.0.0.2/32"},
                {"LOKAHI_AUTH_MAX_FAILURES", "3"}});
  const std::string auth_wrong =
      "Authorization: " + auth::BasicAuthorizationHeader({"AzureDiamond", "nope"});
  const std::string auth_right = "Authorization: " + auth::BasicAuthorizationHeader(right_);
  HttpClient proxy("127.0.0.2");
  auto list = [&](HttpClient& client, const std::string& credentials, const std::string& xff) {
    std::vector<std::string> headers = {"Content-Type: application/json", credentials};
    if (!xff.empty()) headers.push_back("X-Forwarded-For: " + xff);
    return client.Send("POST", Url(std::string(kChecks) + "List"), "{}", headers).status;
  };
  for (int i = 0; i < 3; ++i) EXPECT_EQ(list(proxy, auth_wrong, "198.51.100.7"), 401);
  EXPECT_EQ(list(proxy, auth_right, "198.51.100.7"), 429) << "that client is throttled";
  EXPECT_EQ(list(proxy, auth_right, "198.51.100.8"), 200) << "others behind the proxy are not";
  EXPECT_EQ(list(proxy, auth_right, ""), 200) << "nor the proxy itself";
  // An untrusted peer's X-Forwarded-For is ignored: its failures count against itself.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(list(http_, auth_wrong, "198.51.100.9"), 401);
  EXPECT_EQ(list(http_, auth_right, "203.0.113.1"), 429);
}

TEST_F(TwirpApiTest, HostileHttp1ClientsAreRefusedWhileGrpcKeepsServing) {
  StartLokahid();
  const std::string list_path = std::string(kChecks) + "List";
  auto head = [&](const std::string& extra) {
    return "POST " + list_path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
           extra + "\r\n";
  };

  // 10 MB body: refused before it is read.
  const std::string big(10 << 20, '{');
  const auto too_big = testing::SendWhileWatching(
      port_, head("Content-Length: " + std::to_string(big.size()) + "\r\n"), big, big.size(), false,
      10s);
  ASSERT_TRUE(too_big.response);
  EXPECT_EQ(too_big.response->status, 413);
  EXPECT_TRUE(GrpcServes());

  // A gzip bomb (1 GiB inflated): never inflated.
  const auto bomb = testing::GzipBomb(100);
  const auto bombed = testing::SendWhileWatching(
      port_,
      head("Content-Encoding: gzip\r\nContent-Length: " + std::to_string(bomb.size()) + "\r\n"),
      bomb, bomb.size(), false, 10s);
  ASSERT_TRUE(bombed.response);
  EXPECT_EQ(bombed.response->status, 415);
  EXPECT_TRUE(GrpcServes());

  // An h2c upgrade attempt is answered as HTTP/1.1.
  const auto upgrade =
      http_.Send("POST", Url(list_path), "{}",
                 {"Content-Type: application/json", "Connection: Upgrade, HTTP2-Settings",
                  "Upgrade: h2c", "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA"});
  EXPECT_EQ(upgrade.status, 200) << upgrade.body;
  EXPECT_TRUE(GrpcServes());

  // Pipelined garbage after a good request: the good one is answered, the garbage refused.
  {
    testing::RawConnection connection(port_);
    ASSERT_TRUE(
        connection.Send(head("Content-Length: 2\r\n") + "{}" + "\x01\x02 NOT HTTP \r\n\r\n\r\n"));
    const auto first = connection.ReadResponse(5s);
    ASSERT_TRUE(first);
    EXPECT_EQ(first->status, 200);
    const auto second = connection.ReadResponse(5s);
    if (second) EXPECT_EQ(second->status, 400);
    EXPECT_TRUE(connection.ClosedWithin(5s)) << "closed after the garbage";
  }
  EXPECT_TRUE(GrpcServes());

  // Slow headers: a byte a second never completes a request; gRPC serves meanwhile, and the
  // connection is closed at the total header deadline (10 s), not renewed per byte.
  {
    testing::RawConnection connection(port_);
    ASSERT_TRUE(connection.Send("POST " + list_path + " HTTP/1.1\r\nHost: x\r\nX-Slow: "));
    const auto started = std::chrono::steady_clock::now();
    bool closed = false;
    while (!closed && std::chrono::steady_clock::now() - started < 20s) {
      EXPECT_TRUE(GrpcServes());
      closed = connection.ClosedWithin(1s) || !connection.Send("a");
    }
    EXPECT_TRUE(closed) << "the slow client was cut off";
    EXPECT_LT(std::chrono::steady_clock::now() - started, 15s);
  }
  EXPECT_TRUE(GrpcServes());
}

}  // namespace
}  // namespace lokahi
