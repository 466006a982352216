#include "lib/config/daemon_settings.h"

#include <gtest/gtest.h>

namespace lokahi::config {
namespace {

std::string ErrorOf(const std::function<void()>& read) {
  try {
    read();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ListenAddressesTest, UnsetMeansEveryAddressAsBefore) {
  const auto addresses = ReadListenAddresses(Env::FromMap({}));
  EXPECT_EQ(addresses.service, "");
  EXPECT_EQ(addresses.metrics, "");
  EXPECT_EQ(DescribeListenAddress(addresses.service), "(every address)");
}

TEST(ListenAddressesTest, TheMetricsAddressFollowsTheListenAddressUnlessSet) {
  auto addresses = ReadListenAddresses(Env::FromMap({{"LOKAHI_LISTEN_ADDRESS", "127.0.0.1"}}));
  EXPECT_EQ(addresses.service, "127.0.0.1");
  EXPECT_EQ(addresses.metrics, "127.0.0.1");
  addresses = ReadListenAddresses(
      Env::FromMap({{"LOKAHI_LISTEN_ADDRESS", "0.0.0.0"}, {"LOKAHI_METRICS_ADDRESS", "::1"}}));
  EXPECT_EQ(addresses.service, "0.0.0.0");
  EXPECT_EQ(addresses.metrics, "::1");
  addresses = ReadListenAddresses(Env::FromMap({{"LOKAHI_METRICS_ADDRESS", "127.0.0.1"}}));
  EXPECT_EQ(addresses.service, "");
  EXPECT_EQ(addresses.metrics, "127.0.0.1");
}

TEST(ListenAddressesTest, BracketedIpv6IsAccepted) {
  const auto addresses = ReadListenAddresses(Env::FromMap({{"LOKAHI_LISTEN_ADDRESS", "[::1]"}}));
  EXPECT_EQ(addresses.service, "::1");
}

TEST(ListenAddressesTest, ANameOrAPortIsRefusedNamingTheVariable) {
  EXPECT_EQ(ErrorOf([] {
              ReadListenAddresses(Env::FromMap({{"LOKAHI_LISTEN_ADDRESS", "localhost"}}));
            }),
            "LOKAHI_LISTEN_ADDRESS must be an IP address of this host (such as 127.0.0.1, ::1, "
            "0.0.0.0 or ::), got \"localhost\"");
  EXPECT_NE(ErrorOf([] {
              ReadListenAddresses(Env::FromMap({{"LOKAHI_METRICS_ADDRESS", "127.0.0.1:9090"}}));
            }).find("LOKAHI_METRICS_ADDRESS must be an IP address"),
            std::string::npos);
  const std::string long_value(500, 'x');
  const std::string message = ErrorOf([&] {
    ReadListenAddresses(Env::FromMap({{"LOKAHI_LISTEN_ADDRESS", long_value}}));
  });
  EXPECT_LT(message.size(), 250u) << message;
}

TEST(LogLevelTest, InfoByDefaultAndTheFourNames) {
  EXPECT_EQ(ReadLogLevel(Env::FromMap({})), logging::Level::kInfo);
  EXPECT_EQ(ReadLogLevel(Env::FromMap({{"LOKAHI_LOG_LEVEL", "debug"}})), logging::Level::kDebug);
  EXPECT_EQ(ReadLogLevel(Env::FromMap({{"LOKAHI_LOG_LEVEL", "warn"}})), logging::Level::kWarn);
  EXPECT_EQ(ReadLogLevel(Env::FromMap({{"LOKAHI_LOG_LEVEL", "error"}})), logging::Level::kError);
}

TEST(LogLevelTest, AnythingElseIsRefusedNamingTheVariable) {
  EXPECT_EQ(ErrorOf([] {
              ReadLogLevel(Env::FromMap({{"LOKAHI_LOG_LEVEL", "verbose"}}));
            }),
            "LOKAHI_LOG_LEVEL must be debug, info, warn or error, got \"verbose\"");
}

}  // namespace
}  // namespace lokahi::config
