// deploy/prometheus/ as Prometheus and Grafana would take it: promtool accepts the rules and the
// example configuration, the rules' own unit tests pass (each alert fires on the situation it
// names and stays quiet on a healthy pipeline), the dashboard is JSON Grafana can load, and every
// lokahi_* metric they read is one the daemons really serve on /metrics.

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "tests/support/daemon.h"
#include "tests/support/ports.h"
#include "tests/support/shared_services.h"

namespace lokahi {
namespace {

using namespace std::chrono_literals;
namespace pb = google::protobuf;

const std::string kDir = std::string(LOKAHI_SOURCE_DIR) + "/deploy/prometheus";
constexpr const char* kPromtool = "/usr/bin/promtool";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

testing::CommandResult Promtool(std::vector<std::string> arguments) {
  arguments.insert(arguments.begin(), kPromtool);
  // promtool resolves rule_files relative to the file naming them; run from the folder.
  arguments.insert(arguments.begin(), {"/usr/bin/env", "-C", kDir});
  return testing::RunCommand(arguments, {}, 60s);
}

TEST(PrometheusRulesTest, PromtoolAcceptsTheRules) {
  const auto result = Promtool({"check", "rules", "lokahi-alerts.yml"});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("SUCCESS"), std::string::npos) << result.output;
}

TEST(PrometheusRulesTest, EachAlertFiresOnItsSituationAndNotOnAHealthyPipeline) {
  const auto result = Promtool({"test", "rules", "lokahi-alerts.test.yml"});
  EXPECT_EQ(result.exit_code, 0) << result.output;
}

TEST(PrometheusRulesTest, TheExampleConfigurationLoadsTheRules) {
  const auto result = Promtool({"check", "config", "prometheus.yml"});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("1 rule files found"), std::string::npos) << result.output;
}

// The rules the issue asks for are there.
TEST(PrometheusRulesTest, CoversStalledProbesSchedulerLagWebhookBacklogAndImpairedWorkers) {
  std::set<std::string> alerts;
  for (const auto& group : YAML::LoadFile(kDir + "/lokahi-alerts.yml")["groups"]) {
    for (const auto& rule : group["rules"]) {
      if (rule["alert"]) alerts.insert(rule["alert"].as<std::string>());
    }
  }
  for (const std::string name :
       {"LokahiNoProbesRecorded", "LokahiSchedulerLagHigh", "LokahiWebhookBacklog",
        "LokahiWorkerImpaired", "LokahiWorkerErrorShareOutlier"}) {
    EXPECT_TRUE(alerts.count(name)) << name;
  }
}

pb::Struct Dashboard() {
  pb::Struct dashboard;
  const auto status =
      pb::util::JsonStringToMessage(ReadFile(kDir + "/grafana-dashboard.json"), &dashboard);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return dashboard;
}

TEST(GrafanaDashboardTest, IsJsonWithPanelsThatEachQuerySomething) {
  const pb::Struct dashboard = Dashboard();
  ASSERT_TRUE(dashboard.fields().count("panels"));
  EXPECT_EQ(dashboard.fields().at("title").string_value(), "lokahi-cpp");
  std::set<double> ids;
  int queried = 0;
  for (const auto& panel : dashboard.fields().at("panels").list_value().values()) {
    const auto& fields = panel.struct_value().fields();
    EXPECT_TRUE(ids.insert(fields.at("id").number_value()).second) << "duplicate panel id";
    ASSERT_TRUE(fields.count("gridPos"));
    if (fields.at("type").string_value() == "row") continue;
    ASSERT_TRUE(fields.count("targets")) << fields.at("title").string_value();
    for (const auto& target : fields.at("targets").list_value().values()) {
      EXPECT_FALSE(target.struct_value().fields().at("expr").string_value().empty());
      ++queried;
    }
  }
  EXPECT_GE(queried, 20);
}

// lokahi_* names in PromQL, leaving recording rules' names (level:metric:operations) out.
std::set<std::string> MetricNames(const std::string& expression) {
  const std::regex recorded("[a-z_]*:[a-z0-9_:]+");
  const std::string plain = std::regex_replace(expression, recorded, " ");
  const std::regex name("lokahi_[a-z0-9_]+");
  std::set<std::string> names;
  for (std::sregex_iterator it(plain.begin(), plain.end(), name), end; it != end; ++it) {
    names.insert(it->str());
  }
  return names;
}

std::set<std::string> NamesReadByRulesAndDashboard() {
  std::set<std::string> names;
  for (const auto& group : YAML::LoadFile(kDir + "/lokahi-alerts.yml")["groups"]) {
    for (const auto& rule : group["rules"]) {
      names.merge(MetricNames(rule["expr"].as<std::string>()));
    }
  }
  const pb::Struct dashboard = Dashboard();
  for (const auto& panel : dashboard.fields().at("panels").list_value().values()) {
    const auto& fields = panel.struct_value().fields();
    if (!fields.count("targets")) continue;
    for (const auto& target : fields.at("targets").list_value().values()) {
      names.merge(MetricNames(target.struct_value().fields().at("expr").string_value()));
    }
  }
  return names;
}

// Series names each daemon serves, histograms with their _bucket, _sum and _count.
std::set<std::string> ServedNames() {
  std::set<std::string> served;
  const std::string database = testing::Services().postgres.NewDatabase();
  for (const std::string binary :
       {"lokahid/lokahid", "healthworker/healthworker", "webhookworker/webhookworker"}) {
    const int metrics_port = testing::FreePortBelowEphemeral();
    auto daemon = testing::StartDaemon(binary,
                                       {{"DATABASE_URL", database},
                                        {"NATS_URL", testing::Services().nats.Url()},
                                        {"PORT", std::to_string(testing::FreePortBelowEphemeral())},
                                        {"LOKAHI_METRICS_PORT", std::to_string(metrics_port)}},
                                       metrics_port);
    std::string metrics;
    EXPECT_EQ(testing::HttpGet(metrics_port, "/metrics", &metrics), 200) << binary;
    std::istringstream lines(metrics);
    for (std::string line; std::getline(lines, line);) {
      std::smatch type;
      if (!std::regex_match(line, type, std::regex("# TYPE (\\S+) (\\S+)"))) continue;
      served.insert(type[1]);
      if (type[2] == "histogram") {
        for (const char* suffix : {"_bucket", "_sum", "_count"})
          served.insert(type[1].str() + suffix);
      }
    }
  }
  return served;
}

TEST(PrometheusRulesTest, EveryMetricTheRulesAndDashboardReadIsServedByADaemon) {
  const auto read = NamesReadByRulesAndDashboard();
  EXPECT_GE(read.size(), 20u);
  const auto served = ServedNames();
  for (const auto& name : read) {
    EXPECT_TRUE(served.count(name)) << name << " is read but no daemon serves it";
  }
}

}  // namespace
}  // namespace lokahi
