// Every API call is counted and timed on lokahid's /metrics by transport (gRPC, Twirp), method and
// outcome, through the real lokahid on its one port.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lokahi.grpc.pb.h"
#include "tests/support/daemon.h"
#include "tests/support/http_client.h"
#include "tests/support/lokahid_under_test.h"
#include "tests/support/ports.h"

namespace lokahi {
namespace {

namespace pb = github::xe::lokahi;
using testing::CallContext;
using testing::kJson;
using testing::kProtobuf;

// The value of the sample named exactly `series` (name and labels) in `exposition`; -1 if absent.
double Sample(const std::string& exposition, const std::string& series) {
  const std::string line = "\n" + series + " ";
  const auto at = exposition.find(line);
  if (at == std::string::npos) return -1;
  return std::stod(exposition.substr(at + line.size()));
}

TEST(ApiCallMetricsTest, CountsAndTimesEachCallByTransportMethodAndOutcome) {
  const int metrics_port = testing::FreePort();
  testing::LokahidUnderTest lokahid({{"LOKAHI_METRICS_PORT", std::to_string(metrics_port)}});
  auto stub = pb::Checks::NewStub(lokahid.channel());

  pb::ListOpts list;
  pb::ChecksPage page;
  pb::CheckID missing;
  missing.set_id("00000000-0000-0000-0000-000000000000");
  pb::Check check;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(stub->List(CallContext().get(), list, &page).ok());
  }
  EXPECT_EQ(stub->Get(CallContext().get(), missing, &check).error_code(), grpc::NOT_FOUND);
  const std::string checks = "/twirp/github.xe.lokahi.Checks/";
  EXPECT_EQ(lokahid.Twirp(checks + "List", list, kProtobuf, &page).status, 200);
  EXPECT_EQ(lokahid.Twirp(checks + "List", list, kJson, &page).status, 200);
  EXPECT_EQ(lokahid.Twirp(checks + "Get", missing, kJson, &check).status, 404);
  EXPECT_EQ(lokahid.Twirp(checks + "NoSuchMethod", list, kJson, &page).status, 404);

  std::string exposition;
  ASSERT_EQ(testing::HttpGet(metrics_port, "/metrics", &exposition), 200);
  const std::string list_method = "method=\"github.xe.lokahi.Checks/List\"";
  const std::string get_method = "method=\"github.xe.lokahi.Checks/Get\"";
  EXPECT_EQ(Sample(exposition,
                   "lokahi_api_calls_total{transport=\"grpc\"," + list_method + ",code=\"ok\"}"),
            3)
      << exposition;
  EXPECT_EQ(Sample(exposition, "lokahi_api_calls_total{transport=\"grpc\"," + get_method +
                                   ",code=\"not_found\"}"),
            1);
  EXPECT_EQ(Sample(exposition,
                   "lokahi_api_calls_total{transport=\"twirp\"," + list_method + ",code=\"ok\"}"),
            2);
  EXPECT_EQ(Sample(exposition, "lokahi_api_calls_total{transport=\"twirp\"," + get_method +
                                   ",code=\"not_found\"}"),
            1);
  // A route that does not exist is not a label of its own.
  EXPECT_EQ(Sample(exposition,
                   "lokahi_api_calls_total{transport=\"twirp\",method=\"other\","
                   "code=\"bad_route\"}"),
            1);
  EXPECT_EQ(exposition.find("NoSuchMethod"), std::string::npos);
  // Timed per transport and method: a histogram whose count is the calls' count.
  EXPECT_EQ(Sample(exposition, "lokahi_api_call_duration_seconds_count{transport=\"grpc\"," +
                                   list_method + "}"),
            3);
  EXPECT_EQ(Sample(exposition, "lokahi_api_call_duration_seconds_count{transport=\"twirp\"," +
                                   list_method + "}"),
            2);
  EXPECT_GT(Sample(exposition,
                   "lokahi_api_call_duration_seconds_sum{transport=\"twirp\"," + list_method + "}"),
            0);
}

// purple's POST /events is an API call too: counted and timed as transport "http", method
// "/events", with its outcome in the same words as the other transports'.
TEST(ApiCallMetricsTest, CountsAndTimesEventsSubmissions) {
  const int metrics_port = testing::FreePort();
  testing::LokahidUnderTest lokahid({{"LOKAHI_METRICS_PORT", std::to_string(metrics_port)},
                                     {"LOKAHI_ALERT_WEBHOOK_URL", "http://127.0.0.1:9/alerts"}});
  testing::HttpClient http;
  const std::vector<std::string> json = {"Content-Type: application/json"};
  ASSERT_EQ(http.Send("POST", lokahid.Url("/events"), R"({"id":"a","raise":"+5m"})", json).status,
            200);
  ASSERT_EQ(http.Send("POST", lokahid.Url("/events"),
                      R"([{"id":"b","raise":"+5m"},{"id":"c","raise":"+5m"}])", json)
                .status,
            200);
  ASSERT_EQ(http.Send("POST", lokahid.Url("/events"), "not json", json).status, 400);
  ASSERT_EQ(http.Send("GET", lokahid.Url("/events")).status, 405);

  std::string exposition;
  ASSERT_EQ(testing::HttpGet(metrics_port, "/metrics", &exposition), 200);
  const std::string events = "transport=\"http\",method=\"/events\"";
  EXPECT_EQ(Sample(exposition, "lokahi_api_calls_total{" + events + ",code=\"ok\"}"), 2)
      << exposition;
  EXPECT_EQ(Sample(exposition, "lokahi_api_calls_total{" + events + ",code=\"invalid_argument\"}"),
            1);
  EXPECT_EQ(Sample(exposition, "lokahi_api_calls_total{" + events + ",code=\"bad_route\"}"), 1);
  EXPECT_EQ(Sample(exposition, "lokahi_api_call_duration_seconds_count{" + events + "}"), 4);
  EXPECT_GT(Sample(exposition, "lokahi_api_call_duration_seconds_sum{" + events + "}"), 0);
}

}  // namespace
}  // namespace lokahi
