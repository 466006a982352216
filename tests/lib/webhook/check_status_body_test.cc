// The webhook body read back with a hand-rolled protobuf wire-format reader, so the field
// numbers and types are checked against lokahi's contract rather than against our own .proto.

#include "lib/webhook/check_status_body.h"

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <cstring>
#include <map>

#include "lib/webhook/check_status_body.h"

namespace lokahi::webhook {
namespace {

struct WireValue {
  int wire_type = -1;
  uint64_t varint = 0;
  std::string bytes;  // length-delimited
  double fixed64_as_double = 0;
};
using WireFields = std::multimap<int, WireValue>;

uint64_t ReadVarint(std::string_view& in) {
  uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in.empty()) throw std::runtime_error("truncated varint");
    const auto byte = static_cast<unsigned char>(in.front());
    in.remove_prefix(1);
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return value;
  }
  throw std::runtime_error("varint too long");
}

WireFields ParseWire(std::string_view in) {
  WireFields fields;
  while (!in.empty()) {
    const uint64_t key = ReadVarint(in);
    WireValue value;
    value.wire_type = static_cast<int>(key & 7);
    switch (value.wire_type) {
      case 0:
        value.varint = ReadVarint(in);
        break;
      case 1: {
        if (in.size() < 8) throw std::runtime_error("truncated fixed64");
        uint64_t bits = 0;
        for (int i = 7; i >= 0; --i) bits = (bits << 8) | static_cast<unsigned char>(in[i]);
        std::memcpy(&value.fixed64_as_double, &bits, 8);
        in.remove_prefix(8);
        break;
      }
      case 2: {
        const auto size = ReadVarint(in);
        if (in.size() < size) throw std::runtime_error("truncated bytes");
        value.bytes = std::string(in.substr(0, size));
        in.remove_prefix(size);
        break;
      }
      default:
        throw std::runtime_error("unexpected wire type " + std::to_string(value.wire_type));
    }
    fields.emplace(static_cast<int>(key >> 3), value);
  }
  return fields;
}

const WireValue& One(const WireFields& fields, int number, int wire_type) {
  EXPECT_EQ(fields.count(number), 1u) << "field " << number;
  static const WireValue kMissing;
  const auto found = fields.find(number);
  if (found == fields.end()) return kMissing;
  EXPECT_EQ(found->second.wire_type, wire_type) << "field " << number;
  return found->second;
}

ClaimedDelivery SampleDelivery() {
  ClaimedDelivery d;
  d.ref = {4242, 3};
  d.transition.id = 4242;
  d.transition.check_id = "0b6e2b5c-5d2c-4f4e-9a55-2a0e1c7f0a11";
  d.transition.from_state = checks::State::kUp;
  d.transition.to_state = checks::State::kDown;
  d.transition.status_code = 503;
  d.transition.latency_ns = 123456789;
  d.transition.error = "";
  d.check.id = d.transition.check_id;
  d.check.state = checks::State::kDown;
  d.check.options.url = "https://target.example.com/health";
  d.check.options.webhook_url = "https://hooks.example.com/T/B/secret";
  d.check.options.playbook_url = "https://wiki.example.com/runbook";
  d.check.options.every_seconds = 60;
  d.check.options.timeout_ms = 7000;
  d.check.options.expected_status = 204;
  d.check.options.failure_threshold = 3;
  d.check.options.recovery_threshold = 2;
  d.check.created_at = checks::Timestamp(std::chrono::seconds(1700000000));
  d.check.updated_at = checks::Timestamp(std::chrono::seconds(1700000100));
  d.transition.at = checks::Timestamp(std::chrono::microseconds(1700000200123456));
  d.check.options.webhook_secret = "whsec_c2VjcmV0";
  d.check.webhook_response_time_ns = 98765;
  return d;
}

store::LatencyHistogram SampleHistogram() {
  store::LatencyHistogram h;
  h.samples = 10;
  h.min_ns = 1e6;
  h.max_ns = 9e6;
  h.mean_ns = 4.5e6;
  h.stddev_ns = 2.25e6;
  h.p50_ns = 4e6;
  h.p75_ns = 6e6;
  h.p95_ns = 8.5e6;
  h.p99_ns = 8.9e6;
  return h;
}

store::UptimeRatios SampleUptime() { return store::UptimeRatios{0.5, 0.75, 0.875, 10, 40, 80}; }

TEST(CheckStatusBodyTest, ProtobufBodyHasLokahiFieldNumbers) {
  auto delivery = SampleDelivery();
  delivery.transition.error = "connection refused";
  const auto body = EncodeCheckStatus(ToCheckStatus(delivery, SampleHistogram(), SampleUptime()),
                                      checks::WebhookFormat::kProtobuf);
  EXPECT_EQ(body.content_type, "application/protobuf");

  const auto status = ParseWire(body.bytes);
  const auto check = ParseWire(One(status, 1, 2).bytes);
  EXPECT_EQ(One(check, 1, 2).bytes, delivery.check.id);
  EXPECT_EQ(One(check, 2, 2).bytes, "https://target.example.com/health");
  EXPECT_EQ(One(check, 3, 2).bytes, "https://hooks.example.com/T/B/secret");
  EXPECT_EQ(One(check, 4, 0).varint, 98765u);
  EXPECT_EQ(One(check, 5, 0).varint, 60u);
  EXPECT_EQ(One(check, 6, 2).bytes, "https://wiki.example.com/runbook");
  EXPECT_EQ(One(check, 7, 0).varint, 2u);  // DOWN
  // Never the signing secret (field 13); only whether there is one (14).
  EXPECT_EQ(check.count(13), 0u);
  EXPECT_EQ(One(check, 14, 0).varint, 1u);

  EXPECT_EQ(One(status, 2, 0).varint, 123456789u);
  const auto histogram = ParseWire(One(status, 3, 2).bytes);
  EXPECT_EQ(One(histogram, 1, 1).fixed64_as_double, 9e6);     // max
  EXPECT_EQ(One(histogram, 2, 1).fixed64_as_double, 1e6);     // min
  EXPECT_EQ(One(histogram, 3, 1).fixed64_as_double, 4.5e6);   // mean
  EXPECT_EQ(One(histogram, 4, 1).fixed64_as_double, 2.25e6);  // stddev
  EXPECT_EQ(One(histogram, 5, 1).fixed64_as_double, 4e6);     // p50
  EXPECT_EQ(One(histogram, 6, 1).fixed64_as_double, 6e6);     // p75
  EXPECT_EQ(One(histogram, 7, 1).fixed64_as_double, 8.5e6);   // p95
  EXPECT_EQ(One(histogram, 8, 1).fixed64_as_double, 8.9e6);   // p99
  EXPECT_EQ(histogram.size(), 8u);
  EXPECT_EQ(One(status, 4, 0).varint, 503u);
  const auto last_probe = ParseWire(One(status, 8, 2).bytes);
  EXPECT_EQ(One(last_probe, 6, 2).bytes, "connection refused");
  EXPECT_EQ(One(status, 9, 0).varint, 1u);  // previous state UP
  EXPECT_EQ(One(status, 10, 0).varint, 4242u);
  EXPECT_EQ(One(status, 5, 1).fixed64_as_double, 0.5);  // uptime_24h
  EXPECT_EQ(One(status, 11, 0).varint, 10u);            // uptime_probes_24h
}

// Issue 13 defect 13: every field a body carries is the check's true value (what the Status RPC
// says), never a default zero.
TEST(CheckStatusBodyTest, EveryFieldCarriesTheTrueValue) {
  auto delivery = SampleDelivery();
  delivery.check.options.webhook_format = checks::WebhookFormat::kJson;
  ProbeTimings probe;
  probe.probed_at = delivery.transition.at;
  probe.dns_ns = 11;
  probe.connect_ns = 22;
  probe.tls_ns = 33;
  probe.first_byte_ns = 44;
  probe.cert_expires_at = checks::Timestamp(std::chrono::seconds(1800000000));
  delivery.transition.probe = probe;
  const auto body = EncodeCheckStatus(ToCheckStatus(delivery, SampleHistogram(), SampleUptime()),
                                      checks::WebhookFormat::kJson);
  github::xe::lokahi::CheckStatus parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(body.bytes, &parsed).ok()) << body.bytes;
  const auto& check = parsed.check();
  EXPECT_EQ(check.webhook_format(), github::xe::lokahi::WEBHOOK_FORMAT_JSON);
  EXPECT_EQ(check.timeout_ms(), 7000);
  EXPECT_EQ(check.expected_status(), 204);
  EXPECT_EQ(check.failure_threshold(), 3);
  EXPECT_EQ(check.recovery_threshold(), 2);
  EXPECT_TRUE(check.has_webhook_secret());
  EXPECT_EQ(check.created_at().seconds(), 1700000000);
  EXPECT_EQ(check.updated_at().seconds(), 1700000100);
  EXPECT_EQ(check.state_changed_at().seconds(), 1700000200);
  EXPECT_EQ(check.state_changed_at().nanos(), 123456000);
  EXPECT_EQ(parsed.uptime_24h(), 0.5);
  EXPECT_EQ(parsed.uptime_7d(), 0.75);
  EXPECT_EQ(parsed.uptime_30d(), 0.875);
  EXPECT_EQ(parsed.uptime_probes_24h(), 10);
  EXPECT_EQ(parsed.uptime_probes_7d(), 40);
  EXPECT_EQ(parsed.uptime_probes_30d(), 80);
  EXPECT_EQ(parsed.last_probe().probed_at().seconds(), 1700000200);
  EXPECT_EQ(parsed.last_probe().dns_nanoseconds(), 11);
  EXPECT_EQ(parsed.last_probe().connect_nanoseconds(), 22);
  EXPECT_EQ(parsed.last_probe().tls_nanoseconds(), 33);
  EXPECT_EQ(parsed.last_probe().first_byte_nanoseconds(), 44);
  EXPECT_EQ(parsed.last_probe().tls_cert_expires_at().seconds(), 1800000000);
}

// Issue 13 defect 14: credentials in a URL's userinfo never reach the receiver.
TEST(CheckStatusBodyTest, UrlsLoseTheirUserinfo) {
  auto delivery = SampleDelivery();
  delivery.check.options.url = "http://monitor:s3cret@target.example.com:8080/health?x=1";
  delivery.check.options.webhook_url = "https://hookuser:hookpass@hooks.example.com/T/B/x";
  delivery.check.options.playbook_url = "https://wiki:wikipass@wiki.example.com/runbook";
  for (auto format : {checks::WebhookFormat::kJson, checks::WebhookFormat::kProtobuf}) {
    const auto body =
        EncodeCheckStatus(ToCheckStatus(delivery, SampleHistogram(), SampleUptime()), format);
    for (const char* secret : {"s3cret", "monitor", "hookpass", "hookuser", "wikipass"}) {
      EXPECT_EQ(body.bytes.find(secret), std::string::npos) << secret << " in " << body.bytes;
    }
  }
  const auto status = ToCheckStatus(delivery, SampleHistogram(), SampleUptime());
  EXPECT_EQ(status.check().url(), "http://target.example.com:8080/health?x=1");
  EXPECT_EQ(status.check().webhook_url(), "https://hooks.example.com/T/B/x");
  EXPECT_EQ(status.check().playbook_url(), "https://wiki.example.com/runbook");
}

// Issue 17: a window with no probes is unknown, not 0 % (a receiver would page on 0).
TEST(CheckStatusBodyTest, UptimeOfAWindowWithoutProbesIsUnset) {
  const store::UptimeRatios uptime{0.0, 0.0, 0.5, 3, 0, 6};
  const auto status = ToCheckStatus(SampleDelivery(), SampleHistogram(), uptime);
  EXPECT_TRUE(status.has_uptime_24h());
  EXPECT_EQ(status.uptime_24h(), 0.0);
  EXPECT_FALSE(status.has_uptime_7d());
  EXPECT_EQ(status.uptime_probes_7d(), 0);
  EXPECT_TRUE(status.has_uptime_30d());
  const auto body = EncodeCheckStatus(status, checks::WebhookFormat::kJson);
  EXPECT_NE(body.bytes.find("\"uptime_24h\":0"), std::string::npos) << body.bytes;
  EXPECT_EQ(body.bytes.find("\"uptime_7d\""), std::string::npos) << body.bytes;
}

TEST(CheckStatusBodyTest, JsonBodyUsesProtoFieldNames) {
  auto delivery = SampleDelivery();
  delivery.transition.from_state = checks::State::kInit;
  delivery.transition.to_state = checks::State::kUp;
  const auto body = EncodeCheckStatus(ToCheckStatus(delivery, SampleHistogram(), SampleUptime()),
                                      checks::WebhookFormat::kJson);
  EXPECT_EQ(body.content_type, "application/json");
  for (const char* name :
       {"\"last_response_time_nanoseconds\"", "\"histogram_data\"", "\"p99_nanoseconds\"",
        "\"resp_status_code\"", "\"previous_state\"", "\"transition_id\"",
        "\"webhook_response_time_nanoseconds\"", "\"playbook_url\""}) {
    EXPECT_NE(body.bytes.find(name), std::string::npos) << name << " in " << body.bytes;
  }
  EXPECT_NE(body.bytes.find("\"previous_state\":\"INIT\""), std::string::npos) << body.bytes;
  EXPECT_EQ(body.bytes.find("whsec_"), std::string::npos);

  github::xe::lokahi::CheckStatus parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(body.bytes, &parsed).ok());
  EXPECT_EQ(parsed.transition_id(), 4242);
  EXPECT_EQ(parsed.check().state(), github::xe::lokahi::Check::UP);
  EXPECT_EQ(parsed.histogram_data().p95_nanoseconds(), 8.5e6);
}

}  // namespace
}  // namespace lokahi::webhook
