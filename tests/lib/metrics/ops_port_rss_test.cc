// A real daemon's ops port under the attacks of issue 13: a gzip bomb and a 300 MB body must be
// refused without the daemon's memory growing with them.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "tests/support/daemon.h"
#include "tests/support/ports.h"
#include "tests/support/postgres_server.h"
#include "tests/support/raw_http.h"
#include "tests/support/shared_services.h"

namespace lokahi {
namespace {

using namespace std::chrono_literals;
using testing::RawConnection;

// Peak resident memory a daemon may reach while attacked; the attacks themselves are larger.
constexpr long kPeakRssBoundKib = 100 * 1024;

class OpsPortRssTest : public ::testing::Test {
 protected:
  void SetUp() override {
    metrics_port_ = testing::FreePort();
    daemon_ = testing::StartDaemon("healthworker/healthworker",
                                   {{"DATABASE_URL", testing::Services().postgres.NewDatabase()},
                                    {"NATS_URL", testing::Services().nats.Url()},
                                    {"LOKAHI_METRICS_PORT", std::to_string(metrics_port_)}},
                                   metrics_port_);
  }

  int HealthzStatus() {
    RawConnection connection(metrics_port_);
    if (!connection.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")) return 0;
    const auto response = connection.ReadResponse(5s);
    return response ? response->status : 0;
  }

  int metrics_port_ = 0;
  std::unique_ptr<testing::ChildProcess> daemon_;
};

TEST_F(OpsPortRssTest, GzipBombAndHugeBodiesAreRefusedWithinBoundedMemory) {
  const auto statuses = testing::AttackWithBodies(
      metrics_port_, "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n");
  EXPECT_EQ(statuses.gzip_bomb, 415);
  EXPECT_EQ(statuses.huge_length, 413);
  EXPECT_EQ(statuses.huge_chunked, 413);

  EXPECT_EQ(HealthzStatus(), 200);
  const long peak = testing::PeakRssKib(daemon_->pid());
  ASSERT_GT(peak, 0);
  EXPECT_LT(peak, kPeakRssBoundKib) << "healthworker peak RSS " << peak << " KiB";
  RecordProperty("peak_rss_kib", std::to_string(peak));
}

TEST_F(OpsPortRssTest, HealthzAnswersWhileSlowClientsTrickleHeaders) {
  EXPECT_EQ(testing::HealthzAnsweredWhileTrickling(metrics_port_, 3), 3);
}

}  // namespace
}  // namespace lokahi
