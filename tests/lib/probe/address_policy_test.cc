#include "lib/probe/address_policy.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <stdexcept>

namespace lokahi::probe {
namespace {

sockaddr_storage V4(const char* text) {
  sockaddr_storage storage{};
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  v4->sin_family = AF_INET;
  EXPECT_EQ(inet_pton(AF_INET, text, &v4->sin_addr), 1) << text;
  return storage;
}

sockaddr_storage V6(const char* text) {
  sockaddr_storage storage{};
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  v6->sin6_family = AF_INET6;
  EXPECT_EQ(inet_pton(AF_INET6, text, &v6->sin6_addr), 1) << text;
  return storage;
}

const sockaddr& As(const sockaddr_storage& storage) {
  return *reinterpret_cast<const sockaddr*>(&storage);
}

std::string InvalidMessage(const std::vector<std::string>& cidrs) {
  try {
    AddressPolicy::FromCidrs(cidrs);
  } catch (const std::invalid_argument& error) {
    return error.what();
  }
  return "(no error)";
}

TEST(AddressPolicyTest, EmptyPolicyDeniesNoInternetAddress) {
  const AddressPolicy policy;
  EXPECT_FALSE(policy.Denies(As(V4("169.254.169.254"))));
  EXPECT_FALSE(policy.Denies(As(V6("fe80::1"))));
}

TEST(AddressPolicyTest, DefaultRangesDenyMetadataLinkLocalAndZeroNet) {
  const AddressPolicy policy = AddressPolicy::FromCidrs(DefaultEgressDeny());
  EXPECT_TRUE(policy.Denies(As(V4("169.254.169.254"))));
  EXPECT_TRUE(policy.Denies(As(V4("169.254.0.0"))));
  EXPECT_TRUE(policy.Denies(As(V4("169.254.255.255"))));
  EXPECT_TRUE(policy.Denies(As(V4("0.0.0.0"))));
  EXPECT_TRUE(policy.Denies(As(V6("fe80::1"))));
  EXPECT_TRUE(policy.Denies(As(V6("febf:ffff::1"))));  // last of fe80::/10

  EXPECT_FALSE(policy.Denies(As(V4("169.253.255.255"))));
  EXPECT_FALSE(policy.Denies(As(V4("169.255.0.0"))));
  EXPECT_FALSE(policy.Denies(As(V4("127.0.0.1"))));  // private ranges stay allowed
  EXPECT_FALSE(policy.Denies(As(V4("10.1.2.3"))));
  EXPECT_FALSE(policy.Denies(As(V6("fec0::1"))));
  EXPECT_FALSE(policy.Denies(As(V6("::1"))));
}

// Issue 13 defect 8: http://[::]:port/ reached loopback while 0.0.0.0 was denied.
TEST(AddressPolicyTest, DefaultDeniesTheUnspecifiedIpv6AddressAsItDoesIpv4s) {
  const AddressPolicy policy = AddressPolicy::FromCidrs(DefaultEgressDeny());
  EXPECT_TRUE(policy.Denies(As(V4("0.0.0.0"))));
  EXPECT_TRUE(policy.Denies(As(V6("::"))));
  EXPECT_FALSE(policy.Denies(As(V6("::1"))));  // loopback stays allowed by default
  EXPECT_FALSE(policy.Denies(As(V6("::2"))));
}

TEST(AddressPolicyTest, Ipv4MappedIpv6IsJudgedAsIpv4) {
  const AddressPolicy policy = AddressPolicy::FromCidrs({"169.254.0.0/16"});
  EXPECT_TRUE(policy.Denies(As(V6("::ffff:169.254.169.254"))));
  EXPECT_FALSE(policy.Denies(As(V6("::ffff:8.8.8.8"))));
  EXPECT_EQ(AddressText(As(V6("::ffff:169.254.169.254"))), "169.254.169.254");
}

TEST(AddressPolicyTest, Ipv4RangesDoNotMatchUnrelatedIpv6) {
  const AddressPolicy policy = AddressPolicy::FromCidrs({"0.0.0.0/0"});
  EXPECT_TRUE(policy.Denies(As(V4("8.8.8.8"))));
  EXPECT_FALSE(policy.Denies(As(V6("2001:db8::1"))));
}

TEST(AddressPolicyTest, PrefixesThatAreNotByteAligned) {
  const AddressPolicy policy = AddressPolicy::FromCidrs({"10.64.0.0/10", "2001:db8:8000::/33"});
  EXPECT_TRUE(policy.Denies(As(V4("10.127.255.255"))));
  EXPECT_FALSE(policy.Denies(As(V4("10.128.0.0"))));
  EXPECT_FALSE(policy.Denies(As(V4("10.63.255.255"))));
  EXPECT_TRUE(policy.Denies(As(V6("2001:db8:ffff::1"))));
  EXPECT_FALSE(policy.Denies(As(V6("2001:db8:7fff::1"))));
}

TEST(AddressPolicyTest, BareAddressIsOneHostAndHostBitsAreMasked) {
  const AddressPolicy policy = AddressPolicy::FromCidrs({"192.0.2.7", " 198.51.100.9/24 "});
  EXPECT_TRUE(policy.Denies(As(V4("192.0.2.7"))));
  EXPECT_FALSE(policy.Denies(As(V4("192.0.2.8"))));
  EXPECT_TRUE(policy.Denies(As(V4("198.51.100.200"))));
}

TEST(AddressPolicyTest, UnknownAddressFamiliesAreDenied) {
  sockaddr_storage storage{};
  reinterpret_cast<sockaddr_un*>(&storage)->sun_family = AF_UNIX;
  EXPECT_TRUE(AddressPolicy().Denies(As(storage)));
}

TEST(AddressPolicyTest, InvalidCidrsNameTheEntryAndTheProblem) {
  EXPECT_EQ(InvalidMessage({"10.0.0.0/33"}),
            "invalid CIDR \"10.0.0.0/33\": prefix length must be 0-32 for IPv4");
  EXPECT_EQ(InvalidMessage({"fe80::/129"}),
            "invalid CIDR \"fe80::/129\": prefix length must be 0-128 for IPv6");
  EXPECT_THAT(InvalidMessage({"169.254.0.0/16", "metadata.internal/32"}),
              ::testing::HasSubstr("\"metadata.internal\" is not an IPv4 or IPv6 address"));
  // Shorthand spellings are for URLs, not for configuration: the policy sees resolved sockaddrs.
  EXPECT_THAT(InvalidMessage({"127.1/8"}), ::testing::HasSubstr("not an IPv4 or IPv6 address"));
  EXPECT_THAT(InvalidMessage({"10.0.0.0/"}), ::testing::HasSubstr("prefix length"));
  EXPECT_THAT(InvalidMessage({"10.0.0.0/8x"}), ::testing::HasSubstr("prefix length"));
  EXPECT_THAT(InvalidMessage({"10.0.0.0/-1"}), ::testing::HasSubstr("prefix length"));
  EXPECT_EQ(InvalidMessage({""}), "invalid CIDR \"\": empty entry");
}

}  // namespace
}  // namespace lokahi::probe
