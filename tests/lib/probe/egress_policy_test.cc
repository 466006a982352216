// The deny list is enforced on the address actually connected, whatever the URL looked like.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lib/probe/curl_multi_prober.h"
#include "tests/lib/probe/probe_test_support.h"
#include "tests/lib/probe/server_thread.h"

namespace lokahi::probe {
namespace {

using testing::ProbeOnce;
using testing::RawServer;
using testing::ReadRequestHead;
using testing::ServerThread;
using testing::WriteAll;

void AnswerOk(int fd, const RawServer& server) {
  if (ReadRequestHead(fd, server).empty()) return;
  WriteAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
}

ProberOptions Denying(std::vector<std::string> cidrs) {
  ProberOptions options;
  options.egress_deny_cidrs = std::move(cidrs);
  return options;
}

TEST(EgressPolicyTest, DefaultPolicyAllowsLoopback) {
  RawServer target(AnswerOk);
  EXPECT_EQ(ProbeOnce(ProberOptions{}, target.Url()).status_code, 200);
  EXPECT_EQ(target.Connections(), 1);
}

TEST(EgressPolicyTest, DeniedAddressIsNeverConnectedWhateverItsSpelling) {
  RawServer target(AnswerOk);
  const std::string port = std::to_string(target.port());
  const ProberOptions options = Denying({"127.0.0.0/8", "::1/128"});
  for (const std::string& url : {
           "http://127.0.0.1:" + port + "/",
           "http://127.1:" + port + "/",               // shorthand
           "http://2130706433:" + port + "/",          // decimal
           "http://0x7f.0.0.1:" + port + "/",          // hex
           "http://[::ffff:127.0.0.1]:" + port + "/",  // IPv4-mapped IPv6
       }) {
    const ProbeResult result = ProbeOnce(options, url);
    EXPECT_EQ(result.status_code, 0) << url;
    EXPECT_EQ(result.error, "address 127.0.0.1 denied by LOKAHI_EGRESS_DENY") << url;
  }
  const ProbeResult by_name = ProbeOnce(options, "http://localhost:" + port + "/");
  EXPECT_EQ(by_name.status_code, 0);
  EXPECT_THAT(by_name.error, ::testing::AnyOf("address 127.0.0.1 denied by LOKAHI_EGRESS_DENY",
                                              "address ::1 denied by LOKAHI_EGRESS_DENY"));
  EXPECT_EQ(target.Connections(), 0);
}

TEST(EgressPolicyTest, DefaultPolicyDeniesTheZeroNetworkWhichLinuxRoutesToLoopback) {
  RawServer target(AnswerOk);
  const ProbeResult result =
      ProbeOnce(ProberOptions{}, "http://0.0.0.0:" + std::to_string(target.port()) + "/");
  EXPECT_EQ(result.error, "address 0.0.0.0 denied by LOKAHI_EGRESS_DENY");
  EXPECT_EQ(target.Connections(), 0);
  // Without the policy the same URL does reach the loopback listener.
  EXPECT_EQ(
      ProbeOnce(Denying({}), "http://0.0.0.0:" + std::to_string(target.port()) + "/").status_code,
      200);
}

TEST(EgressPolicyTest, Ipv6TargetsAreProbedAndJudgedToo) {
  httplib::Server server;
  server.Get("/", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("six", "text/plain");
  });
  ServerThread served(server, "::1");
  const std::string url = "http://[::1]:" + std::to_string(served.port()) + "/";
  EXPECT_EQ(ProbeOnce(ProberOptions{}, url).status_code, 200);
  EXPECT_EQ(ProbeOnce(Denying({"::1/128"}), url).error, "address ::1 denied by LOKAHI_EGRESS_DENY");
}

TEST(EgressPolicyTest, RedirectToADeniedAddressIsRefused) {
  RawServer forbidden(AnswerOk, "127.0.0.2");
  httplib::Server allowed;
  allowed.Get("/", [&](const httplib::Request&, httplib::Response& response) {
    response.set_redirect(forbidden.Url());
  });
  ServerThread served(allowed);

  const ProbeResult result = ProbeOnce(Denying({"127.0.0.2/32"}), served.Url("/"));
  EXPECT_EQ(result.status_code, 0);
  EXPECT_EQ(result.error, "address 127.0.0.2 denied by LOKAHI_EGRESS_DENY");
  EXPECT_EQ(forbidden.Connections(), 0);

  // The same redirect is followed when nothing denies it: the refusal above was the policy's.
  EXPECT_EQ(ProbeOnce(Denying({}), served.Url("/")).status_code, 200);
  EXPECT_EQ(forbidden.Connections(), 1);
}

}  // namespace
}  // namespace lokahi::probe
