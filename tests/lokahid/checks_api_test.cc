// The Checks API through a real lokahid process, a real Postgres and a real nats-server.

#include <arpa/inet.h>
#include <grpcpp/create_channel_posix.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <set>
#include <thread>

#include "lib/auth/basic_auth.h"
#include "lokahi.grpc.pb.h"
#include "tests/support/daemon.h"
#include "tests/support/lokahid_under_test.h"
#include "tests/support/ports.h"
#include "tests/support/shared_services.h"

namespace lokahi {
namespace {

namespace pb = github::xe::lokahi;
using testing::Services;

class ChecksApiTest : public ::testing::Test {
 protected:
  void SetUp() override { database_url_ = Services().postgres.NewDatabase(); }

  void StartLokahid(std::map<std::string, std::string> extra = {}) {
    lokahid_ = std::make_unique<testing::LokahidUnderTest>(std::move(extra), database_url_);
    port_ = lokahid_->port();
    channel_ = lokahid_->channel();
    stub_ = pb::Checks::NewStub(channel_);
  }

  std::unique_ptr<grpc::ClientContext> Context(
      std::optional<auth::Credentials> credentials = std::nullopt) {
    return testing::CallContext(credentials);
  }

  pb::CreateOpts ValidOpts() {
    pb::CreateOpts opts;
    opts.set_url("http://127.0.0.1:9/health");
    opts.set_webhook_url("http://127.0.0.1:9/hook");
    opts.set_every(60);
    opts.set_playbook_url("https://wiki.example.com/playbook");
    return opts;
  }

  pb::Check MustCreate(const pb::CreateOpts& opts) {
    pb::Check check;
    const auto status = stub_->Create(Context().get(), opts, &check);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return check;
  }

  grpc::Status CreateStatus(const pb::CreateOpts& opts) {
    pb::Check ignored;
    return stub_->Create(Context().get(), opts, &ignored);
  }

  std::string database_url_;
  int port_ = 0;
  std::unique_ptr<testing::LokahidUnderTest> lokahid_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<pb::Checks::Stub> stub_;
};

TEST_F(ChecksApiTest, CrudRoundTrip) {
  StartLokahid();
  auto opts = ValidOpts();
  opts.set_failure_threshold(3);
  const auto created = MustCreate(opts);
  EXPECT_EQ(created.id().size(), 36u);
  EXPECT_EQ(created.url(), opts.url());
  EXPECT_EQ(created.webhook_url(), opts.webhook_url());
  EXPECT_EQ(created.every(), 60);
  EXPECT_EQ(created.playbook_url(), opts.playbook_url());
  EXPECT_EQ(created.state(), pb::Check::INIT);
  EXPECT_EQ(created.timeout_ms(), 10000);
  EXPECT_EQ(created.failure_threshold(), 3);
  EXPECT_EQ(created.recovery_threshold(), 1);

  pb::CheckID id;
  id.set_id(created.id());
  pb::Check got;
  ASSERT_TRUE(stub_->Get(Context().get(), id, &got).ok());
  EXPECT_EQ(got.SerializeAsString(), created.SerializeAsString());

  pb::Check patch;
  patch.set_id(created.id());
  patch.set_every(120);
  pb::Check updated;
  ASSERT_TRUE(stub_->Put(Context().get(), patch, &updated).ok());
  EXPECT_EQ(updated.every(), 120);
  EXPECT_EQ(updated.url(), opts.url()) << "fields not given to Put keep their value";
  EXPECT_EQ(updated.failure_threshold(), 3);
  ASSERT_TRUE(stub_->Get(Context().get(), id, &got).ok());
  EXPECT_EQ(got.every(), 120);

  pb::Check deleted;
  ASSERT_TRUE(stub_->Delete(Context().get(), id, &deleted).ok());
  EXPECT_EQ(deleted.id(), created.id());
  EXPECT_EQ(deleted.every(), 120);
  EXPECT_EQ(stub_->Get(Context().get(), id, &got).error_code(), grpc::StatusCode::NOT_FOUND);
}

// `check` without the field `path` names (for webhook_secret, what the API shows of it), and
// without updated_at: what a Put naming only `path` must leave as it was.
pb::Check WithoutField(pb::Check check, const std::string& path) {
  check.GetReflection()->ClearField(&check, pb::Check::descriptor()->FindFieldByName(path));
  if (path == "webhook_secret") {
    check.clear_has_webhook_secret();
    check.clear_webhook_secret_fingerprint();
  }
  check.clear_updated_at();
  return check;
}

TEST_F(ChecksApiTest, PutWithAnUpdateMaskClearsOrResetsExactlyTheFieldsItNames) {
  StartLokahid();
  auto opts = ValidOpts();
  opts.set_every(120);
  opts.set_timeout_ms(5000);
  opts.set_expected_status(204);
  opts.set_webhook_format(pb::WEBHOOK_FORMAT_JSON);
  opts.set_webhook_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  struct Case {
    std::string path;
    std::function<void(const pb::Check&)> expect;
  };
  const std::vector<Case> cases = {
      {"playbook_url", [](const pb::Check& c) { EXPECT_EQ(c.playbook_url(), ""); }},
      {"expected_status",
       [](const pb::Check& c) { EXPECT_EQ(c.expected_status(), 0) << "back to any 2xx"; }},
      {"webhook_format",
       [](const pb::Check& c) { EXPECT_EQ(c.webhook_format(), pb::WEBHOOK_FORMAT_PROTOBUF); }},
      {"webhook_secret", [](const pb::Check& c) { EXPECT_FALSE(c.has_webhook_secret()); }},
      {"timeout_ms", [](const pb::Check& c) { EXPECT_EQ(c.timeout_ms(), 10000) << "default"; }},
      {"every", [](const pb::Check& c) { EXPECT_EQ(c.every(), 60) << "default"; }},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.path);
    const auto created = MustCreate(opts);
    pb::Check patch;
    patch.set_id(created.id());
    patch.set_failure_threshold(7);  // set, but not named by the mask: ignored
    patch.mutable_update_mask()->add_paths(c.path);
    pb::Check updated;
    const auto status = stub_->Put(Context().get(), patch, &updated);
    ASSERT_TRUE(status.ok()) << status.error_message();
    pb::CheckID id;
    id.set_id(created.id());
    pb::Check got;
    ASSERT_TRUE(stub_->Get(Context().get(), id, &got).ok());
    EXPECT_EQ(got.SerializeAsString(), updated.SerializeAsString());
    c.expect(got);
    EXPECT_EQ(WithoutField(got, c.path).DebugString(), WithoutField(created, c.path).DebugString())
        << "fields the mask does not name keep their value";
  }

  // Without a mask, lokahi's behaviour: empty and zero mean "keep".
  const auto created = MustCreate(opts);
  pb::Check patch;
  patch.set_id(created.id());
  patch.set_playbook_url("");
  patch.set_expected_status(0);
  pb::Check updated;
  ASSERT_TRUE(stub_->Put(Context().get(), patch, &updated).ok());
  EXPECT_EQ(updated.playbook_url(), opts.playbook_url());
  EXPECT_EQ(updated.expected_status(), 204);
  EXPECT_TRUE(updated.has_webhook_secret());
}

TEST_F(ChecksApiTest, PutWithAStarMaskReplacesEveryOption) {
  StartLokahid();
  auto opts = ValidOpts();
  opts.set_expected_status(204);
  opts.set_failure_threshold(3);
  const auto created = MustCreate(opts);
  pb::Check patch;
  patch.set_id(created.id());
  patch.set_url("http://127.0.0.1:9/other");
  patch.set_webhook_url(opts.webhook_url());
  patch.mutable_update_mask()->add_paths("*");
  pb::Check updated;
  const auto status = stub_->Put(Context().get(), patch, &updated);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(updated.url(), "http://127.0.0.1:9/other");
  EXPECT_EQ(updated.playbook_url(), "");
  EXPECT_EQ(updated.expected_status(), 0);
  EXPECT_EQ(updated.failure_threshold(), 1);
  EXPECT_EQ(updated.every(), 60);
}

TEST_F(ChecksApiTest, PutRefusesMaskPathsItCannotChangeAndStillValidates) {
  StartLokahid();
  const auto created = MustCreate(ValidOpts());
  pb::CheckID id;
  id.set_id(created.id());
  const std::string valid =
      "valid paths: url, webhook_url, playbook_url, every, timeout_ms, expected_status,"
      " failure_threshold, recovery_threshold, webhook_format, webhook_secret,"
      " notify_failure_kind_change, name, labels, enabled, method, headers, body,"
      " follow_redirects, ip_version, labels.KEY for one label, or \"*\" for all of them";
  struct Case {
    std::vector<std::string> paths;
    std::function<void(pb::Check&)> mutate;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"playbook_url", "colour"},
       [](auto&) {},
       "update_mask path \"colour\" is not a field Put can change; " + valid},
      {{"state"},
       [](auto& c) { c.set_state(pb::Check::DOWN); },
       "update_mask path \"state\" is not a field Put can change; " + valid},
      {{"webhookUrl"},
       [](auto&) {},
       "update_mask path \"webhookUrl\" is not a field Put can change; " + valid},
      {{"url"}, [](auto&) {}, "url is empty"},
      {{"webhook_url"},
       [](auto& c) { c.set_webhook_url("http://"); },
       "webhook_url must have a host: \"http://\""},
      {{"every"},
       [](auto& c) { c.set_every(5); },
       "every must be between 10 and 86400 seconds, got 5"},
      {{"failure_threshold"},
       [](auto& c) { c.set_failure_threshold(-1); },
       "failure_threshold must be between 1 and 100, got -1"},
  };
  for (const auto& c : cases) {
    pb::Check patch;
    patch.set_id(created.id());
    c.mutate(patch);
    for (const auto& path : c.paths) patch.mutable_update_mask()->add_paths(path);
    pb::Check ignored;
    const auto status = stub_->Put(Context().get(), patch, &ignored);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.message;
    EXPECT_EQ(status.error_message(), c.message);
  }
  pb::Check got;
  ASSERT_TRUE(stub_->Get(Context().get(), id, &got).ok());
  EXPECT_EQ(got.SerializeAsString(), created.SerializeAsString()) << "refused Puts change nothing";
}

TEST_F(ChecksApiTest, APutThatChangesNothingLeavesTheCheckUntouched) {
  StartLokahid();
  const auto created = MustCreate(ValidOpts());
  pb::Check same;
  same.set_id(created.id());
  same.set_every(created.every());
  same.set_playbook_url(created.playbook_url());
  pb::Check updated;
  ASSERT_TRUE(stub_->Put(Context().get(), same, &updated).ok());
  EXPECT_EQ(updated.SerializeAsString(), created.SerializeAsString())
      << "updated_at (and the version the scheduler watches) did not move";
  same.mutable_update_mask()->add_paths("playbook_url");
  ASSERT_TRUE(stub_->Put(Context().get(), same, &updated).ok());
  EXPECT_EQ(updated.SerializeAsString(), created.SerializeAsString());

  pb::Check change;
  change.set_id(created.id());
  change.set_every(90);
  ASSERT_TRUE(stub_->Put(Context().get(), change, &updated).ok());
  EXPECT_GT(updated.updated_at().seconds() * 1000000000LL + updated.updated_at().nanos(),
            created.updated_at().seconds() * 1000000000LL + created.updated_at().nanos());
}

TEST_F(ChecksApiTest, WebhookSecretIsWriteOnly) {
  StartLokahid();
  auto opts = ValidOpts();
  opts.set_webhook_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  const auto created = MustCreate(opts);
  EXPECT_TRUE(created.has_webhook_secret());
  EXPECT_TRUE(created.webhook_secret().empty());
}

TEST_F(ChecksApiTest, PaginatesOver250ChecksInStableOrder) {
  StartLokahid();
  std::vector<std::string> created_ids;
  for (int i = 0; i < 250; ++i) created_ids.push_back(MustCreate(ValidOpts()).id());

  std::vector<std::string> listed;
  for (int offset = 0; offset < 300; offset += 100) {
    pb::ListOpts opts;
    opts.set_count(100);
    opts.set_offset(offset);
    pb::ChecksPage page;
    ASSERT_TRUE(stub_->List(Context().get(), opts, &page).ok());
    EXPECT_EQ(page.total(), 250);
    EXPECT_EQ(page.results_size(), offset < 200 ? 100 : 50);
    for (const auto& r : page.results()) listed.push_back(r.check().id());
  }
  EXPECT_EQ(listed, created_ids) << "pages follow creation order with no gaps or repeats";

  pb::ListOpts defaults;
  pb::ChecksPage page;
  ASSERT_TRUE(stub_->List(Context().get(), defaults, &page).ok());
  EXPECT_EQ(page.results_size(), 50) << "default page size";
}

TEST_F(ChecksApiTest, PageTokensWalkEveryCheckOnceEvenWhileChecksAreDeletedAndAdded) {
  StartLokahid();
  std::vector<std::string> created_ids;
  for (int i = 0; i < 250; ++i) created_ids.push_back(MustCreate(ValidOpts()).id());

  std::vector<std::string> listed;
  std::string token;
  for (int page_number = 0; page_number < 10; ++page_number) {
    pb::ListOpts opts;
    opts.set_count(100);
    opts.set_page_token(token);
    pb::ChecksPage page;
    ASSERT_TRUE(stub_->List(Context().get(), opts, &page).ok());
    for (const auto& r : page.results()) listed.push_back(r.check().id());
    if (page_number == 0) {
      // Deleting a check already listed shifts offsets; a token still continues after page one.
      pb::CheckID first;
      first.set_id(created_ids[0]);
      pb::Check deleted;
      ASSERT_TRUE(stub_->Delete(Context().get(), first, &deleted).ok());
      created_ids.push_back(MustCreate(ValidOpts()).id());  // a new check comes last
    }
    token = page.next_page_token();
    if (token.empty()) break;
    EXPECT_EQ(page.results_size(), 100) << "only a full page has a next page";
  }
  EXPECT_EQ(listed, created_ids) << "every check once, in creation order";

  pb::ListOpts bad;
  bad.set_page_token("c1.12.not-a-uuid");
  pb::ChecksPage page;
  const auto status = stub_->List(Context().get(), bad, &page);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(),
            "page_token is not one this server issued: pass a next_page_token from an earlier"
            " List unchanged");
}

TEST_F(ChecksApiTest, AuthenticatesEveryCallWhenUserpassIsSet) {
  StartLokahid({{"USERPASS", "AzureDiamond:hunter2"}});
  const auth::Credentials right{"AzureDiamond", "hunter2"};
  pb::Check check;
  pb::ListOpts list;
  pb::ChecksPage page;

  auto status = stub_->Create(Context().get(), ValidOpts(), &check);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  status = stub_->Create(Context(auth::Credentials{"AzureDiamond", "hunter3"}).get(), ValidOpts(),
                         &check);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  const auto wrong_password_message = status.error_message();
  status = stub_->Create(Context(auth::Credentials{"azurediamond", "hunter2"}).get(), ValidOpts(),
                         &check);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(status.error_message(), wrong_password_message)
      << "a wrong user, a wrong password and none get the same answer";
  EXPECT_EQ(stub_->List(Context().get(), list, &page).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);

  ASSERT_TRUE(stub_->List(Context(right).get(), list, &page).ok());
  EXPECT_EQ(page.results_size(), 0) << "rejected creates stored nothing";
  ASSERT_TRUE(stub_->Create(Context(right).get(), ValidOpts(), &check).ok());
}

// A gRPC channel whose connection comes from `source` (another loopback address), so lokahid
// sees another client address.
std::shared_ptr<grpc::Channel> ChannelFrom(const char* source, int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  inet_pton(AF_INET, source, &local.sin_addr);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local), 0);
  sockaddr_in remote{};
  remote.sin_family = AF_INET;
  remote.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  remote.sin_port = htons(static_cast<uint16_t>(port));
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&remote), sizeof remote), 0);
  return grpc::CreateInsecureChannelFromFd("127.0.0.1:" + std::to_string(port), fd);
}

// Issue 13, defect 17: 3,000 wrong passwords were all answered in 1.1 s, none throttled.
TEST_F(ChecksApiTest, WrongPasswordsAreThrottledPerClientAddress) {
  StartLokahid({{"USERPASS", "AzureDiamond:hunter2"}});
  const auth::Credentials right{"AzureDiamond", "hunter2"};
  const auth::Credentials guess{"AzureDiamond", "guess"};
  std::map<grpc::StatusCode, int> by_code;
  pb::ChecksPage page;
  for (int i = 0; i < 3000; ++i) {
    ++by_code[stub_->List(Context(guess).get(), pb::ListOpts(), &page).error_code()];
  }
  EXPECT_EQ(by_code[grpc::StatusCode::UNAUTHENTICATED], 10) << "LOKAHI_AUTH_MAX_FAILURES";
  EXPECT_EQ(by_code[grpc::StatusCode::RESOURCE_EXHAUSTED], 2990);
  const auto blocked = stub_->List(Context(right).get(), pb::ListOpts(), &page);
  EXPECT_EQ(blocked.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << "the guessing address waits out the window even with the right password";
  EXPECT_NE(blocked.error_message().find("127.0.0.1"), std::string::npos)
      << blocked.error_message();

  auto other = pb::Checks::NewStub(ChannelFrom("127.0.0.2", port_));
  const auto fine = other->List(Context(right).get(), pb::ListOpts(), &page);
  EXPECT_TRUE(fine.ok()) << "a client at another address is unaffected: " << fine.error_message();
}

TEST_F(ChecksApiTest, ValidationErrorsSayWhatToFix) {
  StartLokahid();
  struct Case {
    std::function<void(pb::CreateOpts&)> mutate;
    std::string message;
  };
  const std::vector<Case> cases = {
      {[](auto& o) { o.set_every(5); }, "every must be between 10 and 86400 seconds, got 5"},
      {[](auto& o) { o.set_every(100000); },
       "every must be between 10 and 86400 seconds, got 100000"},
      {[](auto& o) { o.set_url("ftp://x/"); },
       "url must use http or https, got \"ftp\": \"ftp://x/\""},
      {[](auto& o) { o.set_url(""); }, "url is empty"},
      {[](auto& o) { o.set_webhook_url("http://"); }, "webhook_url must have a host: \"http://\""},
      {[](auto& o) { o.set_playbook_url("wiki page"); },
       "playbook_url contains whitespace or control characters: \"wiki page\""},
      {[](auto& o) { o.set_failure_threshold(-1); },
       "failure_threshold must be between 1 and 100, got -1"},
  };
  for (const auto& c : cases) {
    auto opts = ValidOpts();
    c.mutate(opts);
    const auto status = CreateStatus(opts);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.message;
    EXPECT_EQ(status.error_message(), c.message);
  }

  pb::CheckID bad_id;
  bad_id.set_id("42");
  pb::Check check;
  auto status = stub_->Get(Context().get(), bad_id, &check);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("id must be a UUID"), std::string::npos);

  pb::ListOpts too_many;
  too_many.set_count(5000);
  pb::ChecksPage page;
  status = stub_->List(Context().get(), too_many, &page);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "count must be between 1 and 1000, got 5000");

  const auto created = MustCreate(ValidOpts());
  pb::Check bad_put;
  bad_put.set_id(created.id());
  bad_put.set_every(3);
  status = stub_->Put(Context().get(), bad_put, &check);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  pb::CheckID id;
  id.set_id(created.id());
  ASSERT_TRUE(stub_->Get(Context().get(), id, &check).ok());
  EXPECT_EQ(check.every(), 60) << "a rejected Put changes nothing";
}

TEST_F(ChecksApiTest, UnknownIdsAreNotFound) {
  StartLokahid();
  pb::CheckID id;
  id.set_id("a5c7179a-0d3a-11e8-b53d-8faa88cfa70c");
  pb::Check check;
  auto status = stub_->Get(Context().get(), id, &check);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(status.error_message(), "no check with id a5c7179a-0d3a-11e8-b53d-8faa88cfa70c");
  EXPECT_EQ(stub_->Delete(Context().get(), id, &check).error_code(), grpc::StatusCode::NOT_FOUND);
  pb::Check patch;
  patch.set_id(id.id());
  patch.set_every(30);
  EXPECT_EQ(stub_->Put(Context().get(), patch, &check).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(ChecksApiTest, ConcurrentPutsOfDifferentFieldsAllLand) {
  StartLokahid();
  // Per check, one client keeps changing `every` and another `playbook_url`, each naming only
  // its field: neither may write back a stale copy of the other's.
  constexpr int kChecks = 8, kRounds = 25;
  std::vector<std::string> ids;
  for (int c = 0; c < kChecks; ++c) ids.push_back(MustCreate(ValidOpts()).id());
  auto edit = [&](const std::string& id, bool every) {
    for (int round = 1; round <= kRounds; ++round) {
      pb::Check patch;
      patch.set_id(id);
      if (every) {
        patch.set_every(100 + round);
        patch.mutable_update_mask()->add_paths("every");
      } else {
        patch.set_playbook_url("https://wiki.example.com/" + std::to_string(round));
        patch.mutable_update_mask()->add_paths("playbook_url");
      }
      pb::Check updated;
      const auto status = stub_->Put(Context().get(), patch, &updated);
      ASSERT_TRUE(status.ok()) << status.error_message();
    }
  };
  std::vector<std::thread> clients;
  for (const auto& id : ids) {
    clients.emplace_back(edit, id, true);
    clients.emplace_back(edit, id, false);
  }
  for (auto& client : clients) client.join();
  for (const auto& id : ids) {
    pb::CheckID request;
    request.set_id(id);
    pb::Check stored;
    ASSERT_TRUE(stub_->Get(Context().get(), request, &stored).ok());
    EXPECT_EQ(stored.every(), 100 + kRounds) << id;
    EXPECT_EQ(stored.playbook_url(), "https://wiki.example.com/" + std::to_string(kRounds)) << id;
  }
}

TEST_F(ChecksApiTest, HundredConcurrentCreatesAreAllStored) {
  StartLokahid();
  std::vector<std::thread> threads;
  std::mutex mutex;
  std::set<std::string> ids;
  for (int t = 0; t < 100; ++t) {
    threads.emplace_back([&] {
      auto opts = ValidOpts();
      pb::Check check;
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
      if (stub_->Create(&context, opts, &check).ok()) {
        std::lock_guard lock(mutex);
        ids.insert(check.id());
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ids.size(), 100u);
  pb::ListOpts opts;
  opts.set_count(1000);
  pb::ChecksPage page;
  ASSERT_TRUE(stub_->List(Context().get(), opts, &page).ok());
  EXPECT_EQ(page.total(), 100);
  std::set<std::string> listed;
  for (const auto& r : page.results()) listed.insert(r.check().id());
  EXPECT_EQ(listed, ids);
}

TEST_F(ChecksApiTest, RestartKeepsEverythingAndStopsGracefully) {
  StartLokahid();
  const auto created = MustCreate(ValidOpts());
  const int status = lokahid_->process().Stop(SIGTERM, std::chrono::seconds(10));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "SIGTERM is a clean exit";
  StartLokahid();
  pb::CheckID id;
  id.set_id(created.id());
  pb::Check got;
  ASSERT_TRUE(stub_->Get(Context().get(), id, &got).ok());
  EXPECT_EQ(got.SerializeAsString(), created.SerializeAsString());
}

TEST_F(ChecksApiTest, TwoLokahidStartingTogetherMigrateOnce) {
  const int port_a = testing::FreePort(), port_b = testing::FreePort();
  std::map<std::string, std::string> env = {{"DATABASE_URL", database_url_},
                                            {"NATS_URL", Services().nats.Url()}};
  env["PORT"] = std::to_string(port_a);
  auto a = std::make_unique<testing::ChildProcess>(
      std::vector<std::string>{testing::BinaryPath("lokahid/lokahid")}, env, "/tmp/lokahid-a.log");
  env["PORT"] = std::to_string(port_b);
  auto b = std::make_unique<testing::ChildProcess>(
      std::vector<std::string>{testing::BinaryPath("lokahid/lokahid")}, env, "/tmp/lokahid-b.log");
  EXPECT_TRUE(
      testing::WaitFor([&] { return testing::PortAccepts(port_a) && testing::PortAccepts(port_b); },
                       std::chrono::seconds(30)))
      << a->Log() << b->Log();
  EXPECT_TRUE(a->Running());
  EXPECT_TRUE(b->Running());
}

TEST_F(ChecksApiTest, BadConfigurationStopsWithAMessageNamingTheVariable) {
  const auto result = testing::RunCommand({testing::BinaryPath("lokahid/lokahid")},
                                          {{"PORT", "not-a-port"}}, std::chrono::seconds(20));
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("PORT must be a whole number"), std::string::npos) << result.output;
}

TEST_F(ChecksApiTest, NamesAreUniqueAndLabelsAndPausingAreStored) {
  StartLokahid();
  auto opts = ValidOpts();
  opts.set_name("Payments API");
  (*opts.mutable_labels())["team"] = "payments";
  (*opts.mutable_labels())["env"] = "prod";
  const pb::Check created = MustCreate(opts);
  EXPECT_EQ(created.name(), "Payments API");
  EXPECT_EQ(created.labels().at("team"), "payments");
  ASSERT_TRUE(created.has_enabled());
  EXPECT_TRUE(created.enabled());

  const auto duplicate = CreateStatus(opts);
  EXPECT_EQ(duplicate.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(duplicate.error_message(), "another check is named \"Payments API\": names are unique");
  auto unnamed = ValidOpts();
  MustCreate(unnamed);
  MustCreate(unnamed);  // no name is no name: never a duplicate

  auto other = ValidOpts();
  other.set_name("Other");
  const pb::Check second = MustCreate(other);
  pb::Check rename;
  rename.set_id(second.id());
  rename.set_name("Payments API");
  pb::Check ignored;
  EXPECT_EQ(stub_->Put(Context().get(), rename, &ignored).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);

  pb::Check pause;
  pause.set_id(created.id());
  pause.set_enabled(false);
  pause.mutable_update_mask()->add_paths("enabled");
  pause.mutable_update_mask()->add_paths("labels.env");
  pb::Check paused;
  ASSERT_TRUE(stub_->Put(Context().get(), pause, &paused).ok());
  EXPECT_FALSE(paused.enabled());
  EXPECT_EQ(paused.labels_size(), 1);
  pb::CheckID id;
  id.set_id(created.id());
  pb::Check got;
  ASSERT_TRUE(stub_->Get(Context().get(), id, &got).ok());
  EXPECT_FALSE(got.enabled());
  EXPECT_EQ(got.name(), "Payments API");
  EXPECT_EQ(got.labels().at("team"), "payments");
  EXPECT_FALSE(got.labels().contains("env"));

  auto bad = ValidOpts();
  (*bad.mutable_labels())["team"] = "pay ments";
  EXPECT_EQ(CreateStatus(bad).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace lokahi
