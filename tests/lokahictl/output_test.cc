// What people and scripts see of lokahid's answers: table snapshots at a fixed clock, YAML, JSON.

#include <gtest/gtest.h>

#include <sstream>

#include "lokahi.pb.h"
#include "lokahictl/output/format.h"
#include "lokahictl/output/renderer.h"
#include "lokahictl/output/status_name.h"
#include "lokahictl/output/text_table.h"

namespace lokahi::lokahictl::output {
namespace {

namespace pb = github::xe::lokahi;
using std::chrono::seconds;

constexpr int64_t kNow = 1796536800;  // 2026-12-06 06:00:00 UTC

google::protobuf::Timestamp At(int64_t seconds_before_now) {
  google::protobuf::Timestamp at;
  at.set_seconds(kNow - seconds_before_now);
  return at;
}

pb::Check DownCheck() {
  pb::Check check;
  check.set_id("6f1c2a9e-0d1b-4c51-9a3e-2b7d8f0c1a22");
  check.set_url("http://duke.internal:9001/health");
  check.set_webhook_url("http://samplehook:9001/twirp/github.xe.lokahi.Webhook/Handle");
  check.set_every(60);
  check.set_state(pb::Check::DOWN);
  check.set_timeout_ms(10000);
  check.set_failure_threshold(3);
  check.set_recovery_threshold(1);
  check.set_has_webhook_secret(true);
  *check.mutable_created_at() = At(3 * 86400 + 60);
  *check.mutable_updated_at() = At(2 * 3600);
  *check.mutable_state_changed_at() = At(3 * 60 + 20);
  return check;
}

pb::Check NewCheck() {
  pb::Check check;
  check.set_id("0a4be4a0-57a3-4bd4-8d6e-8a0c5f8e9d11");
  check.set_url(
      "https://api.example.com/v1/very/long/path/that/does/not/fit/"
      "in/a/table/column");
  check.set_webhook_url("http://hooks:9002/");
  check.set_every(10);
  check.set_state(pb::Check::INIT);
  check.set_timeout_ms(2000);
  check.set_expected_status(204);
  check.set_failure_threshold(1);
  check.set_recovery_threshold(2);
  check.set_webhook_format(pb::WEBHOOK_FORMAT_JSON);
  check.set_playbook_url("https://wiki.example.com/api");
  *check.mutable_created_at() = At(45);
  *check.mutable_updated_at() = At(45);
  return check;
}

std::string Render(Format format, const google::protobuf::Message& message, bool color = false) {
  std::ostringstream out;
  Renderer(format, TableStyle{std::chrono::system_clock::time_point(seconds(kNow)), color})
      .Print(message, out);
  return out.str();
}

pb::ChecksPage Page() {
  pb::ChecksPage page;
  *page.add_results()->mutable_check() = DownCheck();
  *page.add_results()->mutable_check() = NewCheck();
  page.set_total(7);
  page.set_next_page_token("djEuMTIz");
  return page;
}

TEST(TableOutput, ListShowsStateForHowLongAndShortensUrls) {
  EXPECT_EQ(Render(Format::kTable, Page()),
            R"(ID                                     STATE         EVERY   NAME OR URL
6f1c2a9e-0d1b-4c51-9a3e-2b7d8f0c1a22   DOWN for 3m   60s     http://duke.internal:9001/health
0a4be4a0-57a3-4bd4-8d6e-8a0c5f8e9d11   INIT          10s     https://api.example.com/v1/very/long/path/that/…

2 of 7 checks; next page: --page-token djEuMTIz
)");
}

TEST(TableOutput, WideListShowsEveryOptionAndWholeUrls) {
  EXPECT_EQ(
      Render(Format::kWide, Page()),
      R"(ID                                     NAME   STATE         EVERY   TIMEOUT    EXPECT   FAIL/RECOVER   URL                                                                             WEBHOOK                                                        FORMAT     SIGNED   PLAYBOOK                       LABELS   CREATED
6f1c2a9e-0d1b-4c51-9a3e-2b7d8f0c1a22   -      DOWN for 3m   60s     10000 ms   2xx      3/1            http://duke.internal:9001/health                                                http://samplehook:9001/twirp/github.xe.lokahi.Webhook/Handle   protobuf   yes      -                              -        3d ago
0a4be4a0-57a3-4bd4-8d6e-8a0c5f8e9d11   -      INIT          10s     2000 ms    204      1/2            https://api.example.com/v1/very/long/path/that/does/not/fit/in/a/table/column   http://hooks:9002/                                             json       no       https://wiki.example.com/api   -        45s ago

2 of 7 checks; next page: --page-token djEuMTIz
)");
}

TEST(TableOutput, StatesAreColouredOnlyWhenAsked) {
  const std::string colored = Render(Format::kTable, Page(), /*color=*/true);
  EXPECT_NE(colored.find("\x1b[31mDOWN for 3m\x1b[0m"), std::string::npos) << colored;
  EXPECT_NE(colored.find("\x1b[2mINIT\x1b[0m"), std::string::npos) << colored;
  EXPECT_EQ(Render(Format::kTable, Page()).find('\x1b'), std::string::npos);
  // Colour codes take no room: the columns after the state stay aligned.
  EXPECT_NE(colored.find("DOWN for 3m\x1b[0m   60s"), std::string::npos) << colored;
}

TEST(TableOutput, EmptyList) {
  pb::ChecksPage page;
  EXPECT_EQ(Render(Format::kTable, page), "no checks (0 stored)\n");
}

TEST(TableOutput, GetShowsOneCheck) {
  EXPECT_EQ(Render(Format::kTable, DownCheck()),
            R"(ID             6f1c2a9e-0d1b-4c51-9a3e-2b7d8f0c1a22
URL            http://duke.internal:9001/health
STATE          DOWN for 3m
EVERY          60s
TIMEOUT        10000 ms
EXPECT         2xx
FAIL/RECOVER   3/1 consecutive probes
WEBHOOK        http://samplehook:9001/twirp/github.xe.lokahi.Webhook/Handle (protobuf, signed)
PLAYBOOK       -
CREATED        3d ago
UPDATED        2h ago
)");
}

TEST(TableOutput, StatusShowsLastProbeUptimeAndLatency) {
  pb::CheckStatus status;
  *status.mutable_check() = DownCheck();
  status.set_resp_status_code(503);
  status.set_last_response_time_nanoseconds(12'345'678);
  auto* probe = status.mutable_last_probe();
  *probe->mutable_probed_at() = At(12);
  probe->set_dns_nanoseconds(150'000);
  probe->set_connect_nanoseconds(310'000);
  probe->set_first_byte_nanoseconds(11'900'000);
  *probe->mutable_tls_cert_expires_at() = At(-40 * 86400);
  status.set_uptime_24h(0.9875);
  status.set_uptime_probes_24h(1440);
  status.set_uptime_7d(0.99821);
  status.set_uptime_probes_7d(10080);
  auto* h = status.mutable_histogram_data();
  h->set_p50_nanoseconds(3'100'000);
  h->set_p95_nanoseconds(4'020'000);
  h->set_p99_nanoseconds(98'700'000);
  h->set_max_nanoseconds(2'500'000'000);
  EXPECT_EQ(Render(Format::kTable, status),
            R"(ID            6f1c2a9e-0d1b-4c51-9a3e-2b7d8f0c1a22
URL           http://duke.internal:9001/health
STATE         DOWN for 3m
LAST PROBE    12s ago, HTTP 503 in 12.3 ms
TIMINGS       dns 0.15 ms, connect 0.31 ms, tls -, first byte 11.9 ms
TLS CERT      expires in 40d
UPTIME        24h 98.75% (1440 probes)   7d 99.82% (10080 probes)   30d —
LATENCY 24H   p50 3.10 ms   p95 4.02 ms   p99 98.7 ms   max 2.50 s
)");
}

TEST(TableOutput, StatusOfACheckNeverProbed) {
  pb::CheckStatus status;
  *status.mutable_check() = NewCheck();
  const std::string table = Render(Format::kTable, status);
  EXPECT_NE(table.find("LAST PROBE   none yet\n"), std::string::npos) << table;
  EXPECT_NE(table.find("UPTIME       24h —   7d —   30d —\n"), std::string::npos) << table;
}

// A window without probes is unknown: JSON leaves its ratio out instead of printing 0, while a
// window whose every probe failed does print 0.
TEST(JsonOutput, UptimeOfAWindowWithoutProbesIsLeftOut) {
  pb::CheckStatus status;
  *status.mutable_check() = DownCheck();
  status.set_uptime_24h(0);
  status.set_uptime_probes_24h(12);
  const std::string json = Render(Format::kJson, status);
  EXPECT_NE(json.find("\"uptime_24h\": 0"), std::string::npos) << json;
  EXPECT_EQ(json.find("\"uptime_7d\""), std::string::npos) << json;
  EXPECT_EQ(json.find("\"uptime_30d\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"uptime_probes_7d\": \"0\""), std::string::npos) << json;
}

pb::DeliveriesPage Deliveries() {
  pb::DeliveriesPage page;
  auto* up = page.add_deliveries();
  up->set_webhook_id("tr_41");
  up->set_from_state(pb::Check::INIT);
  up->set_to_state(pb::Check::UP);
  *up->mutable_transition_at() = At(2 * 3600);
  *up->mutable_delivered_at() = At(2 * 3600 - 1);
  up->set_outcome("delivered");
  up->set_attempts(1);
  up->set_last_status_code(200);
  auto* down = page.add_deliveries();
  down->set_webhook_id("tr_57");
  down->set_from_state(pb::Check::UP);
  down->set_to_state(pb::Check::DOWN);
  *down->mutable_transition_at() = At(200);
  down->set_outcome("pending");
  down->set_attempts(4);
  down->set_last_error(
      "connect to 10.0.0.7:9001 failed: Connection refused; "
      "will retry with backoff after 40 s");
  return page;
}

TEST(TableOutput, DeliveriesShowTransitionOutcomeAndError) {
  EXPECT_EQ(Render(Format::kTable, Deliveries()),
            R"(WEBHOOK ID   TRANSITION   AT       OUTCOME     ATTEMPTS   HTTP   ERROR
tr_41        INIT→UP      2h ago   delivered   1          200    -
tr_57        UP→DOWN      3m ago   pending     4          -      connect to 10.0.0.7:9001 failed: Connection refused; will r…
)");
  const std::string wide = Render(Format::kWide, Deliveries());
  EXPECT_NE(wide.find("will retry with backoff after 40 s"), std::string::npos) << wide;
  EXPECT_NE(wide.find("DELIVERED"), std::string::npos) << wide;
  EXPECT_NE(Render(Format::kTable, Deliveries(), true).find("\x1b[32mdelivered\x1b[0m"),
            std::string::npos);
}

TEST(TableOutput, Runstats) {
  pb::PipelineStats stats;
  stats.set_checks(100000);
  stats.set_probes_per_minute(600248);
  stats.set_probes_last_hour(36014880);
  stats.mutable_latency()->set_p50_nanoseconds(850'000);
  stats.mutable_latency()->set_p95_nanoseconds(2'100'000);
  stats.mutable_latency()->set_p99_nanoseconds(7'600'000);
  stats.mutable_latency()->set_max_nanoseconds(1'200'000'000);
  stats.set_schedule_lag_p50_ms(4.2);
  stats.set_schedule_lag_p99_ms(31.0);
  stats.set_skipped_slots_last_hour(0);
  EXPECT_EQ(Render(Format::kTable, stats),
            R"(CHECKS         100000
PROBES/MIN     600248 (last minute)
PROBES 1H      36014880
LATENCY 1H     p50 0.85 ms   p95 2.10 ms   p99 7.60 ms   max 1.20 s
SCHEDULE LAG   p50 4.2 ms   p99 31.0 ms
SKIPPED 1H     0
)");
}

TEST(JsonOutput, IsTheProtobufJsonMappingScriptsParse) {
  const std::string json = Render(Format::kJson, DownCheck());
  EXPECT_NE(json.find("\"state\": \"DOWN\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"expected_status\": 0"), std::string::npos) << json;
  EXPECT_NE(json.find("\"state_changed_at\": \"2026-12-06T05:56:40Z\""), std::string::npos) << json;
}

TEST(YamlOutput, BlockYamlOfTheSameDocument) {
  pb::ChecksPage page;
  auto check = NewCheck();
  check.set_playbook_url("true");  // a string YAML would otherwise read as a bool
  *page.add_results()->mutable_check() = check;
  page.set_total(1);
  const std::string yaml = Render(Format::kYaml, page);
  EXPECT_EQ(yaml.rfind("results:\n  - check:\n      id: "
                       "0a4be4a0-57a3-4bd4-8d6e-8a0c5f8e9d11\n",
                       0),
            0u)
      << yaml;
  EXPECT_NE(yaml.find("      every: 10\n"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("      playbook_url: \"true\"\n"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("      state: INIT\n"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("\ntotal: \"1\"\n"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("next_page_token: \"\"\n"), std::string::npos) << yaml;
}

TEST(Format, NamesAndRefusals) {
  EXPECT_EQ(ParseFormat("json"), Format::kJson);
  EXPECT_EQ(ParseFormat("yaml"), Format::kYaml);
  EXPECT_EQ(ParseFormat("table"), Format::kTable);
  EXPECT_EQ(ParseFormat("wide"), Format::kWide);
  EXPECT_THROW(ParseFormat("xml"), std::invalid_argument);
}

TEST(RoughDuration, LargestWholeUnit) {
  EXPECT_EQ(RoughDuration(seconds(0)), "0s");
  EXPECT_EQ(RoughDuration(seconds(59)), "59s");
  EXPECT_EQ(RoughDuration(seconds(200)), "3m");
  EXPECT_EQ(RoughDuration(seconds(3 * 3600 + 59 * 60)), "3h");
  EXPECT_EQ(RoughDuration(seconds(47 * 3600)), "47h");
  EXPECT_EQ(RoughDuration(seconds(3 * 86400)), "3d");
}

TEST(TextTable, ShortensByCharactersNotBytes) {
  EXPECT_EQ(Shortened("abcdef", 4), "abc…");
  EXPECT_EQ(Shortened("ééééé", 3), "éé…");
  EXPECT_EQ(Shortened("abc", 3), "abc");
  EXPECT_EQ(DisplayWidth("INIT→UP"), 7u);
}

// Issue 13 defect 9: lokahictl printed "code 8" for RESOURCE_EXHAUSTED.
TEST(StatusCodeName, EveryGrpcCodeByName) {
  EXPECT_EQ(StatusCodeName(grpc::StatusCode::RESOURCE_EXHAUSTED), "RESOURCE_EXHAUSTED");
  EXPECT_EQ(StatusCodeName(grpc::StatusCode::UNAVAILABLE), "UNAVAILABLE");
  EXPECT_EQ(StatusCodeName(grpc::StatusCode::INVALID_ARGUMENT), "INVALID_ARGUMENT");
  EXPECT_EQ(StatusCodeName(grpc::StatusCode::PERMISSION_DENIED), "PERMISSION_DENIED");
  EXPECT_EQ(StatusCodeName(grpc::StatusCode::FAILED_PRECONDITION), "FAILED_PRECONDITION");
  EXPECT_EQ(StatusCodeName(grpc::StatusCode::UNAUTHENTICATED), "UNAUTHENTICATED");
  for (int code = 0; code <= 16; ++code) {
    EXPECT_EQ(StatusCodeName(static_cast<grpc::StatusCode>(code)).find("code "), std::string::npos)
        << code;
  }
  // An unnamed code inside the enum's range (values -1..16 make it -32..31): 42 would be
  // undefined behaviour before the function ran, as UBSan says.
  EXPECT_EQ(StatusCodeName(static_cast<grpc::StatusCode>(20)), "code 20");
}

}  // namespace
}  // namespace lokahi::lokahictl::output
