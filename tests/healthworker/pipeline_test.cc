// The probing pipeline end to end: two lokahid (one scheduler active), two healthworkers, real
// Postgres and nats-server, and an HTTP target the test controls.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <pqxx/pqxx>
#include <thread>

#include "lokahi.grpc.pb.h"
#include "tests/support/daemon.h"
#include "tests/support/ports.h"
#include "tests/support/shared_services.h"

namespace lokahi {
namespace {

namespace pb = github::xe::lokahi;
using namespace std::chrono_literals;
using testing::Services;
using testing::WaitFor;

// An HTTP target that answers 200, 500, or slowly, or is not listening at all.
class ControlledTarget {
 public:
  enum class Mode { kOk, kFail, kSlow };
  ControlledTarget() : port_(testing::FreePort()) { Listen(); }
  ~ControlledTarget() { Close(); }
  void SetMode(Mode mode) { mode_.store(mode); }
  void Listen() {
    server_ = std::make_unique<httplib::Server>();
    server_->Get("/health", [this](const httplib::Request&, httplib::Response& res) {
      switch (mode_.load()) {
        case Mode::kOk: res.status = 200; break;
        case Mode::kFail: res.status = 500; break;
        case Mode::kSlow:
          std::this_thread::sleep_for(2500ms);
          res.status = 200;
          break;
      }
      res.set_content("ok", "text/plain");
    });
    thread_ = std::thread([this] { server_->listen("127.0.0.1", port_); });
    testing::WaitFor([this] { return server_->is_running(); }, 5s);
  }
  void Close() {
    if (!server_) return;
    server_->stop();
    thread_.join();
    server_.reset();
  }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/health"; }

 private:
  int port_;
  std::atomic<Mode> mode_{Mode::kOk};
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    database_url_ = Services().postgres.NewDatabase();
    for (const char* name : {"A", "B"}) {
      const int port = testing::FreePort();
      lokahid_ports_[name] = port;
      lokahids_[name] = testing::StartDaemon("lokahid/lokahid", LokahidEnv(name, port), port);
    }
    for (int i = 0; i < 2; ++i) {
      healthworkers_.push_back(testing::StartDaemon(
          "healthworker/healthworker",
          {{"DATABASE_URL", database_url_}, {"NATS_URL", Services().nats.Url()},
           {"LOKAHI_BATCH_MAX_DELAY_MS", "50"}}));
    }
    db_ = std::make_unique<pqxx::connection>(database_url_);
  }

  std::map<std::string, std::string> LokahidEnv(const std::string& name, int port) {
    return {{"DATABASE_URL", database_url_}, {"NATS_URL", Services().nats.Url()},
            {"PORT", std::to_string(port)},  {"LOKAHI_MIN_EVERY", "1"},
            {"LOKAHI_INSTANCE", name}};
  }

  std::unique_ptr<pb::Checks::Stub> Stub(const std::string& name) {
    return pb::Checks::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(lokahid_ports_[name]), grpc::InsecureChannelCredentials()));
  }

  static std::unique_ptr<grpc::ClientContext> Context() {
    auto c = std::make_unique<grpc::ClientContext>();
    c->set_deadline(std::chrono::system_clock::now() + 30s);
    return c;
  }

  std::string CreateCheck(const std::string& url, int timeout_ms = 1000) {
    pb::CreateOpts opts;
    opts.set_url(url);
    opts.set_webhook_url("http://127.0.0.1:9/hook");
    opts.set_every(1);
    opts.set_timeout_ms(timeout_ms);
    pb::Check check;
    const auto status = Stub("A")->Create(Context().get(), opts, &check);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return check.id();
  }

  int StateOf(const std::string& id) {
    pqxx::read_transaction txn(*db_);
    const auto rows = txn.exec_params("SELECT state FROM check_states WHERE check_id = $1::uuid", id);
    return rows.empty() ? -1 : rows[0][0].as<int>();
  }

  bool WaitState(const std::string& id, int state, std::chrono::milliseconds timeout) {
    return WaitFor([&] { return StateOf(id) == state; }, timeout);
  }

  long long Count(const std::string& sql, const std::string& id) {
    pqxx::read_transaction txn(*db_);
    return txn.exec_params1(sql, id)[0].as<long long>();
  }

  std::vector<std::pair<int, int>> Transitions(const std::string& id) {
    pqxx::read_transaction txn(*db_);
    std::vector<std::pair<int, int>> out;
    for (const auto& row : txn.exec_params(
             "SELECT from_state, to_state FROM transitions WHERE check_id = $1::uuid ORDER BY id",
             id)) {
      out.emplace_back(row[0].as<int>(), row[1].as<int>());
    }
    return out;
  }

  std::string ActiveScheduler() {
    pqxx::read_transaction txn(*db_);
    const auto rows = txn.exec(
        "SELECT holder FROM scheduler_state WHERE updated_at > now() - interval '2 seconds'");
    return rows.empty() ? "" : rows[0][0].as<std::string>();
  }

  std::string database_url_;
  std::map<std::string, int> lokahid_ports_;
  std::map<std::string, std::unique_ptr<testing::ChildProcess>> lokahids_;
  std::vector<std::unique_ptr<testing::ChildProcess>> healthworkers_;
  std::unique_ptr<pqxx::connection> db_;
};

constexpr int kInit = 0, kUp = 1, kDown = 2, kError = 3;

TEST_F(PipelineTest, TargetOutagesBecomeExactlyOneTransitionPerChange) {
  ControlledTarget target;
  const auto id = CreateCheck(target.Url());

  ASSERT_TRUE(WaitState(id, kUp, 10s)) << "a new check is probed within seconds";
  target.SetMode(ControlledTarget::Mode::kFail);
  ASSERT_TRUE(WaitState(id, kDown, 10s));
  target.Close();
  ASSERT_TRUE(WaitState(id, kError, 10s)) << "connection refused is ERROR";
  target.SetMode(ControlledTarget::Mode::kSlow);
  target.Listen();
  const char* kTimeouts =
      "SELECT count(*) FROM results WHERE check_id = $1::uuid AND error LIKE 'timed out%'";
  ASSERT_TRUE(WaitFor([&] { return Count(kTimeouts, id) >= 3; }, 15s)) << "too slow times out";
  EXPECT_EQ(StateOf(id), kError) << "a timeout is ERROR too, with no new transition";
  target.SetMode(ControlledTarget::Mode::kOk);
  ASSERT_TRUE(WaitState(id, kUp, 15s));

  // More UP results must not add transitions: wait until more have been recorded (a window that
  // merely sleeps would pass if probing had stopped).
  const char* kResults = "SELECT count(*) FROM results WHERE check_id = $1::uuid";
  const auto up_results = Count(kResults, id);
  ASSERT_TRUE(WaitFor([&] { return Count(kResults, id) >= up_results + 2; }, 10s))
      << "the check is still probed once UP";
  EXPECT_EQ(Transitions(id),
            (std::vector<std::pair<int, int>>{{kInit, kUp}, {kUp, kDown}, {kDown, kError},
                                              {kError, kUp}}));

  // The figures the API reports are real.
  pb::CheckID check_id;
  check_id.set_id(id);
  pb::CheckStatus status;
  ASSERT_TRUE(Stub("B")->Status(Context().get(), check_id, &status).ok());
  EXPECT_EQ(status.check().state(), pb::Check::UP);
  EXPECT_EQ(status.resp_status_code(), 200);
  EXPECT_GT(status.last_response_time_nanoseconds(), 0);
  EXPECT_GT(status.histogram_data().p50_nanoseconds(), 0);
  EXPECT_GE(status.histogram_data().max_nanoseconds(), status.histogram_data().p99_nanoseconds());
  EXPECT_GT(status.uptime_24h(), 0.0);
  EXPECT_LT(status.uptime_24h(), 1.0) << "the outage shows in the uptime";
  EXPECT_GE(status.uptime_probes_24h(), 5) << "every probe of the outage sequence counts";
  EXPECT_EQ(status.uptime_probes_30d(), status.uptime_probes_24h());

  pb::CheckStatus ran;
  ASSERT_TRUE(Stub("B")->Run(Context().get(), check_id, &ran).ok());
  EXPECT_EQ(ran.resp_status_code(), 200);
  EXPECT_GT(ran.last_response_time_nanoseconds(), 0);

  pb::PipelineStats stats;
  ASSERT_TRUE(Stub("A")->RunStats(Context().get(), pb::Nil(), &stats).ok());
  EXPECT_GE(stats.probes_last_hour(), 5);
  EXPECT_GT(stats.latency().p50_nanoseconds(), 0);
  EXPECT_EQ(stats.checks(), 1);
}

TEST_F(PipelineTest, KillingTheActiveSchedulerHandsOverAndChecksKeepRunning) {
  ControlledTarget target;
  const auto id = CreateCheck(target.Url());
  ASSERT_TRUE(WaitState(id, kUp, 10s));
  std::string active;
  ASSERT_TRUE(WaitFor([&] { return !(active = ActiveScheduler()).empty(); }, 5s));
  const std::string other = active == "A" ? "B" : "A";

  lokahids_[active]->Stop(SIGKILL, 1s);
  const auto killed_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(WaitFor([&] { return ActiveScheduler() == other; }, 10s))
      << "the other lokahid takes over within 10 s";
  EXPECT_LT(std::chrono::steady_clock::now() - killed_at, 10s);

  const char* kResults = "SELECT count(*) FROM results WHERE check_id = $1::uuid";
  const auto before = Count(kResults, id);
  EXPECT_TRUE(WaitFor([&] { return Count(kResults, id) >= before + 3; }, 10s))
      << "checks keep running under the new scheduler";

  // Slots are dispatched once: no slot has two results.
  EXPECT_EQ(Count("SELECT count(*) FROM (SELECT due_at FROM results WHERE check_id = $1::uuid"
                  " GROUP BY due_at HAVING count(*) > 1) dup",
                  id),
            0);
}

TEST_F(PipelineTest, DeletedChecksStopAndEditedChecksChangeWithinASecond) {
  ControlledTarget target;
  ControlledTarget other_target;
  other_target.SetMode(ControlledTarget::Mode::kFail);
  const auto id = CreateCheck(target.Url());
  // Left alone throughout: its probes show the workers still probe while the deleted one is not.
  const auto kept = CreateCheck(target.Url());
  ASSERT_TRUE(WaitState(id, kUp, 10s));

  pb::Check patch;
  patch.set_id(id);
  patch.set_url(other_target.Url());
  pb::Check updated;
  ASSERT_TRUE(Stub("B")->Put(Context().get(), patch, &updated).ok());
  EXPECT_TRUE(WaitState(id, kDown, 5s)) << "the new URL is probed without a restart";

  pb::CheckID check_id;
  check_id.set_id(id);
  pb::Check deleted;
  ASSERT_TRUE(Stub("A")->Delete(Context().get(), check_id, &deleted).ok());
  std::this_thread::sleep_for(1500ms);  // probes dispatched before the delete may still land
  const char* kResults = "SELECT count(*) FROM results WHERE check_id = $1::uuid";
  const auto after_delete = Count(kResults, id);
  const auto kept_before = Count(kResults, kept);
  ASSERT_TRUE(WaitFor([&] { return Count(kResults, kept) >= kept_before + 3; }, 10s))
      << "the check that was not deleted is still probed";
  EXPECT_EQ(Count(kResults, id), after_delete) << "a deleted check is no longer probed";
}

TEST_F(PipelineTest, EditingACheckMoreOftenThanItsIntervalDoesNotStopItsProbes) {
  ControlledTarget target;
  const auto id = CreateCheck(target.Url());
  pb::Check slow;
  slow.set_id(id);
  slow.set_every(4);
  pb::Check updated;
  ASSERT_TRUE(Stub("A")->Put(Context().get(), slow, &updated).ok());
  ASSERT_TRUE(WaitState(id, kUp, 10s));

  // A configuration tool re-applying the check every second, its playbook changing each time:
  // each edit used to push the next probe to now + 4 s, so none came.
  const char* kResults = "SELECT count(*) FROM results WHERE check_id = $1::uuid";
  const auto before = Count(kResults, id);
  const auto until = std::chrono::steady_clock::now() + 14s;
  for (int i = 0; std::chrono::steady_clock::now() < until; ++i) {
    pb::Check edit;
    edit.set_id(id);
    edit.set_playbook_url("https://wiki.example.com/run/" + std::to_string(i % 2));
    ASSERT_TRUE(Stub("B")->Put(Context().get(), edit, &updated).ok());
    std::this_thread::sleep_for(1s);
  }
  EXPECT_GE(Count(kResults, id), before + 2) << "probed every 4 s while being edited";
}

TEST_F(PipelineTest, RestartingTheHealthworkersLosesNoStateAndRaisesNoTransition) {
  ControlledTarget target;
  const auto id = CreateCheck(target.Url());
  ASSERT_TRUE(WaitState(id, kUp, 10s));
  for (auto& worker : healthworkers_) {
    const int status = worker->Stop(SIGTERM, 20s);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << worker->Log();
  }
  healthworkers_.clear();
  healthworkers_.push_back(testing::StartDaemon(
      "healthworker/healthworker",
      {{"DATABASE_URL", database_url_}, {"NATS_URL", Services().nats.Url()}}));
  const char* kResults = "SELECT count(*) FROM results WHERE check_id = $1::uuid";
  const auto before = Count(kResults, id);
  ASSERT_TRUE(WaitFor([&] { return Count(kResults, id) >= before + 3; }, 10s));
  EXPECT_EQ(Transitions(id), (std::vector<std::pair<int, int>>{{kInit, kUp}}));
}

}  // namespace
}  // namespace lokahi
