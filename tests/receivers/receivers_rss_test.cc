// Every receiver binary attacked as issue 13 did: a gzip bomb and 300 MB bodies are refused
// without the process's memory growing with them, and clients trickling their headers do not
// keep /healthz from answering.

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <ostream>
#include <string>

#include "tests/support/daemon.h"
#include "tests/support/ports.h"
#include "tests/support/raw_http.h"

namespace lokahi::receivers {
namespace {

using namespace std::chrono_literals;

constexpr long kPeakRssBoundKib = 100 * 1024;

struct Receiver {
  std::string binary;
  std::map<std::string, std::string> env;
};

void PrintTo(const Receiver& receiver, std::ostream* out) { *out << receiver.binary; }

const std::vector<Receiver> kReceivers = {
    {"receivers/sample_hook", {}},
    // The relays never get as far as posting: nothing listens at the chat URL.
    {"receivers/discord_hook", {{"WEBHOOK_URL", "http://127.0.0.1:9/api/webhooks/1/t"}}},
    {"receivers/slack_hook", {{"WEBHOOK_URL", "http://127.0.0.1:9/services/T/B/x"}}},
    {"receivers/duke-of-york", {}},
};

class ReceiverUnderAttackTest : public ::testing::TestWithParam<Receiver> {
 protected:
  void SetUp() override {
    port_ = lokahi::testing::FreePort();
    auto env = GetParam().env;
    env["PORT"] = std::to_string(port_);
    process_ = lokahi::testing::StartDaemon(GetParam().binary, env, port_);
  }

  int port_ = 0;
  std::unique_ptr<lokahi::testing::ChildProcess> process_;
};

TEST_P(ReceiverUnderAttackTest, GzipBombAndHugeBodiesAreRefusedWithinBoundedMemory) {
  const auto statuses = lokahi::testing::AttackWithBodies(
      port_,
      "POST /twirp/github.xe.lokahi.Webhook/Handle HTTP/1.1\r\nHost: x\r\n"
      "Content-Type: application/protobuf\r\n");
  EXPECT_EQ(statuses.gzip_bomb, 415);
  EXPECT_EQ(statuses.huge_length, 413);
  EXPECT_EQ(statuses.huge_chunked, 413);

  EXPECT_TRUE(process_->Running()) << process_->Log();
  const long peak = lokahi::testing::PeakRssKib(process_->pid());
  ASSERT_GT(peak, 0);
  EXPECT_LT(peak, kPeakRssBoundKib) << GetParam().binary << " peak RSS " << peak << " KiB";
  RecordProperty("peak_rss_kib", std::to_string(peak));
  EXPECT_EQ(process_->Log().find("level=error"), std::string::npos) << process_->Log();
}

TEST_P(ReceiverUnderAttackTest, HealthzAnswersWhileSlowClientsTrickleHeaders) {
  EXPECT_EQ(lokahi::testing::HealthzAnsweredWhileTrickling(port_, 3), 3);
}

INSTANTIATE_TEST_SUITE_P(EveryReceiver, ReceiverUnderAttackTest, ::testing::ValuesIn(kReceivers),
                         [](const auto& info) {
                           std::string name =
                               info.param.binary.substr(info.param.binary.find('/') + 1);
                           std::erase(name, '-');
                           return name;
                         });

}  // namespace
}  // namespace lokahi::receivers
