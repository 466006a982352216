#include "lib/alerts/submission.h"

#include <gtest/gtest.h>

namespace lokahi::alerts {
namespace {

const Timestamp kNow = Timestamp(std::chrono::seconds(1'800'000'000));

Submission Valid() {
  Submission s;
  s.key = {"10.0.0.7", "heartbeat"};
  s.raise = "+5m";
  s.subject = "backup";
  return s;
}

FieldError ErrorOf(const Submission& s) {
  auto result = Resolve(s, kNow);
  EXPECT_TRUE(std::holds_alternative<FieldError>(result));
  if (auto* error = std::get_if<FieldError>(&result)) return *error;
  return {};
}

TEST(Resolve, AValidSubmissionResolvesItsRaiseTime) {
  auto result = Resolve(Valid(), kNow);
  ASSERT_TRUE(std::holds_alternative<ResolvedSubmission>(result));
  const auto& resolved = std::get<ResolvedSubmission>(result);
  EXPECT_EQ(resolved.raise, RaiseSpec(kNow + std::chrono::minutes(5)));
  EXPECT_EQ(resolved.key.id, "heartbeat");
}

TEST(Resolve, IdIsOneTo200PrintableCharacters) {
  auto s = Valid();
  s.key.id = "";
  EXPECT_EQ(ErrorOf(s).field, "id");
  EXPECT_EQ(ErrorOf(s).message, "id is required: it must be 1 to 200 printable characters");
  s.key.id = std::string(201, 'a');
  EXPECT_EQ(ErrorOf(s).message, "id must be 1 to 200 printable characters, got more");
  s.key.id = "disk\n/";
  EXPECT_EQ(ErrorOf(s).message,
            "id must be 1 to 200 printable characters, got a control character at byte 4");
  s.key.id = "bad\xff";
  EXPECT_EQ(ErrorOf(s).field, "id");
  // 200 characters of two bytes each are fine: the limit counts characters.
  s.key.id.clear();
  for (int i = 0; i < 200; ++i) s.key.id += "\xc3\xa9";
  EXPECT_TRUE(std::holds_alternative<ResolvedSubmission>(Resolve(s, kNow)));
  s.key.id = "disk-space-/root";
  EXPECT_TRUE(std::holds_alternative<ResolvedSubmission>(Resolve(s, kNow)));
}

TEST(Resolve, SizeLimits) {
  auto s = Valid();
  s.subject = std::string(513, 's');
  EXPECT_EQ(ErrorOf(s).message, "subject must be at most 512 bytes, got 513");
  s = Valid();
  s.detail = std::string(8193, 'd');
  EXPECT_EQ(ErrorOf(s).message, "detail must be at most 8192 bytes, got 8193");
  s.detail = std::string(8192, 'd');
  EXPECT_TRUE(std::holds_alternative<ResolvedSubmission>(Resolve(s, kNow)));
}

TEST(Resolve, RaiseIsRequiredAndQuotedWhenBad) {
  auto s = Valid();
  s.raise = "";
  EXPECT_EQ(ErrorOf(s).field, "raise");
  EXPECT_EQ(ErrorOf(s).message.rfind("raise is required", 0), 0u);
  s.raise = "soon";
  EXPECT_NE(ErrorOf(s).message.find("got \"soon\""), std::string::npos);
}

TEST(Resolve, WebhookUrlIsParsedAsLibcurlWould) {
  auto s = Valid();
  s.webhook_url = "ftp://example.com/";
  EXPECT_EQ(ErrorOf(s).field, "webhook_url");
  s.webhook_url = "http://example.com/" + std::string(9000, 'a');
  EXPECT_EQ(ErrorOf(s).field, "webhook_url");
  EXPECT_NE(ErrorOf(s).message.find("at most 8192 bytes"), std::string::npos);
  s.webhook_url = "http://127.0.0.1:9001/hook";
  EXPECT_TRUE(std::holds_alternative<ResolvedSubmission>(Resolve(s, kNow)));
}

TEST(Resolve, SuppressUntil) {
  auto s = Valid();
  s.suppress_until = "now";
  EXPECT_EQ(ErrorOf(s).field, "suppress_until");
  s.suppress_until = "+1h";
  auto result = Resolve(s, kNow);
  ASSERT_TRUE(std::holds_alternative<ResolvedSubmission>(result));
  EXPECT_EQ(std::get<ResolvedSubmission>(result).suppress_until, kNow + std::chrono::hours(1));
}

}  // namespace
}  // namespace lokahi::alerts
