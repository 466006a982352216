#include "receivers/core/check_status_body.h"

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

namespace lokahi::receivers {
namespace {

using github::xe::lokahi::Check;
using github::xe::lokahi::CheckStatus;

CheckStatus Sample() {
  CheckStatus status;
  status.mutable_check()->set_id("chk_1");
  status.mutable_check()->set_state(Check::DOWN);
  status.mutable_check()->set_playbook_url("https://wiki/pb");
  status.set_previous_state(Check::UP);
  status.set_last_response_time_nanoseconds(2'265'000);
  status.set_resp_status_code(500);
  status.set_transition_id(42);
  status.mutable_last_probe()->set_error("boom");
  return status;
}

TEST(FormatOfContentTypeTest, ChoosesByMediaType) {
  EXPECT_EQ(FormatOfContentType("application/protobuf"), BodyFormat::kProtobuf);
  EXPECT_EQ(FormatOfContentType("application/x-protobuf"), BodyFormat::kProtobuf);
  EXPECT_EQ(FormatOfContentType(""), BodyFormat::kProtobuf);
  EXPECT_EQ(FormatOfContentType("application/json"), BodyFormat::kJson);
  EXPECT_EQ(FormatOfContentType(" Application/JSON ; charset=utf-8"), BodyFormat::kJson);
  EXPECT_EQ(FormatOfContentType("text/plain"), std::nullopt);
  EXPECT_EQ(FormatOfContentType("application/jsonx"), std::nullopt);
}

TEST(DecodeCheckStatusTest, ReadsProtobufAsLokahiSendsIt) {
  const DecodedBody decoded =
      DecodeCheckStatus(BodyFormat::kProtobuf, Sample().SerializeAsString());
  ASSERT_TRUE(decoded.status) << decoded.error;
  EXPECT_EQ(decoded.status->SerializeAsString(), Sample().SerializeAsString());
}

TEST(DecodeCheckStatusTest, ReadsJsonWithEitherFieldNamingAndUnknownFields) {
  for (bool proto_names : {false, true}) {
    google::protobuf::util::JsonPrintOptions options;
    options.preserve_proto_field_names = proto_names;
    std::string json;
    ASSERT_TRUE(google::protobuf::util::MessageToJsonString(Sample(), &json, options).ok());
    json.insert(1, "\"field_from_the_future\": {\"x\": 1}, ");
    const DecodedBody decoded = DecodeCheckStatus(BodyFormat::kJson, json);
    ASSERT_TRUE(decoded.status) << decoded.error << " in " << json;
    EXPECT_EQ(decoded.status->transition_id(), 42);
    EXPECT_EQ(decoded.status->check().state(), Check::DOWN);
    EXPECT_EQ(decoded.status->last_probe().error(), "boom");
  }
}

TEST(DecodeCheckStatusTest, RefusesGarbageWithAReason) {
  DecodedBody decoded = DecodeCheckStatus(BodyFormat::kProtobuf, "not a protobuf");
  EXPECT_FALSE(decoded.status);
  EXPECT_NE(decoded.error.find("invalid protobuf"), std::string::npos);
  decoded = DecodeCheckStatus(BodyFormat::kJson, "{\"check\": ");
  EXPECT_FALSE(decoded.status);
  EXPECT_NE(decoded.error.find("invalid JSON"), std::string::npos);
  decoded = DecodeCheckStatus(BodyFormat::kJson, "{\"check\": {\"state\": \"SIDEWAYS\"}}");
  EXPECT_FALSE(decoded.status);
}

TEST(DecodeCheckStatusTest, RefusesABodyWithoutACheckId) {
  for (BodyFormat format : {BodyFormat::kProtobuf, BodyFormat::kJson}) {
    const DecodedBody decoded = DecodeCheckStatus(format, format == BodyFormat::kJson ? "{}" : "");
    EXPECT_FALSE(decoded.status);
    EXPECT_EQ(decoded.error, "CheckStatus has no check id");
  }
}

TEST(DecodeNotificationTest, TellsAlertsFromChecksByPathOrJsonShape) {
  github::xe::lokahi::AlertStatus alert;
  alert.mutable_alert()->set_source("web1");
  alert.mutable_alert()->set_id("backup");
  alert.set_kind(github::xe::lokahi::AlertStatus::RAISED);
  std::string json;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(alert, &json).ok());

  auto decoded =
      DecodeNotification(BodyFormat::kProtobuf, kAlertWebhookPath, "", alert.SerializeAsString());
  ASSERT_TRUE(decoded.notification) << decoded.error;
  EXPECT_EQ(std::get<github::xe::lokahi::AlertStatus>(*decoded.notification).alert().id(),
            "backup");
  decoded = DecodeNotification(BodyFormat::kJson, "/", "", json);
  ASSERT_TRUE(decoded.notification) << decoded.error;
  EXPECT_TRUE(std::holds_alternative<github::xe::lokahi::AlertStatus>(*decoded.notification));

  CheckStatus check;
  check.mutable_check()->set_id("chk_1");
  decoded = DecodeNotification(BodyFormat::kProtobuf, "/twirp/github.xe.lokahi.Webhook/Handle",
                               "tr_1", check.SerializeAsString());
  ASSERT_TRUE(decoded.notification) << decoded.error;
  EXPECT_EQ(std::get<CheckStatus>(*decoded.notification).check().id(), "chk_1");

  // Protobuf at a plain path: an alert by its notification webhook-id; a check's transition id
  // keeps it a check.
  decoded = DecodeNotification(BodyFormat::kProtobuf, "/", "nt_7", alert.SerializeAsString());
  ASSERT_TRUE(decoded.notification) << decoded.error;
  EXPECT_TRUE(std::holds_alternative<github::xe::lokahi::AlertStatus>(*decoded.notification));
  decoded = DecodeNotification(BodyFormat::kProtobuf, "/", "tr_7", check.SerializeAsString());
  ASSERT_TRUE(decoded.notification) << decoded.error;
  EXPECT_TRUE(std::holds_alternative<CheckStatus>(*decoded.notification));

  // Neither a check nor an alert: the check's reason, as before alerts existed.
  decoded = DecodeNotification(BodyFormat::kJson, "/", "", "{}");
  EXPECT_FALSE(decoded.notification);
  EXPECT_EQ(decoded.error, "CheckStatus has no check id");
  decoded = DecodeNotification(BodyFormat::kJson, kAlertWebhookPath, "", "{\"kind\": \"RAISED\"}");
  EXPECT_FALSE(decoded.notification);
  EXPECT_EQ(decoded.error, "AlertStatus has no alert id");
}

TEST(EncodeAcknowledgementTest, IsAnEmptyNilInTheRequestsFormat) {
  const EncodedReply protobuf = EncodeAcknowledgement(BodyFormat::kProtobuf);
  EXPECT_EQ(protobuf.content_type, "application/protobuf");
  github::xe::lokahi::Nil nil;
  EXPECT_TRUE(nil.ParseFromString(protobuf.body));
  EXPECT_EQ(protobuf.body, "");
  const EncodedReply json = EncodeAcknowledgement(BodyFormat::kJson);
  EXPECT_EQ(json.content_type, "application/json");
  EXPECT_EQ(json.body, "{}");
}

}  // namespace
}  // namespace lokahi::receivers
