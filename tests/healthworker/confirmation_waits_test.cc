// When a confirmation stops waiting for another worker (issue 19): one probe timeout plus the
// margin after the request, or after another worker took it, whichever is later.

#include "healthworker/confirmation_waits.h"

#include <gtest/gtest.h>

namespace lokahi::healthworker {
namespace {

using namespace std::chrono_literals;
using store::ConfirmationVerdict;

store::ConfirmationRequest Failure(const std::string& check_id, int timeout_ms) {
  store::ConfirmationRequest request;
  request.record.check_id = check_id;
  request.record.timeout_ms = timeout_ms;
  request.to = checks::State::kError;
  return request;
}

const ConfirmationWaits::TimePoint kSent{std::chrono::seconds(1000)};

TEST(ConfirmationWaitsTest, UntakenRequestGivesUpOneTimeoutPlusMarginAfterItWasSent) {
  ConfirmationWaits waits(1000ms);
  ASSERT_TRUE(waits.Open(Failure("a", 1000), kSent));
  EXPECT_TRUE(waits.Expire(kSent + 1999ms).empty());
  const auto expired = waits.Expire(kSent + 2000ms);
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].request.record.check_id, "a");
  EXPECT_EQ(expired[0].verdict, ConfirmationVerdict::kUnanswered);
  EXPECT_EQ(waits.size(), 0u);
}

// The request reached the other worker late (a loaded machine): its probe still gets its whole
// timeout, and its answer decides instead of the transition committing unconfirmed.
TEST(ConfirmationWaitsTest, TakenRequestWaitsOneTimeoutPlusMarginFromTheAcceptance) {
  ConfirmationWaits waits(1000ms);
  const auto seq = waits.Open(Failure("a", 1000), kSent);
  ASSERT_TRUE(seq);
  EXPECT_TRUE(waits.Accept(*seq, kSent + 1500ms));
  EXPECT_TRUE(waits.Expire(kSent + 2000ms).empty());
  EXPECT_TRUE(waits.Expire(kSent + 3499ms).empty());
  const auto answer = waits.Close(*seq, ConfirmationVerdict::kVetoed);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->verdict, ConfirmationVerdict::kVetoed);
  EXPECT_FALSE(waits.Close(*seq, ConfirmationVerdict::kConfirmed)) << "answered once only";
}

TEST(ConfirmationWaitsTest, TakenRequestWhoseAnswerNeverComesGivesUp) {
  ConfirmationWaits waits(1000ms);
  const auto seq = waits.Open(Failure("a", 1000), kSent);
  ASSERT_TRUE(seq);
  EXPECT_TRUE(waits.Accept(*seq, kSent + 1500ms));
  EXPECT_TRUE(waits.Accept(*seq, kSent + 1900ms)) << "a second acceptance is known...";
  ASSERT_EQ(waits.Expire(kSent + 3500ms).size(), 1u) << "...but moves nothing";
}

TEST(ConfirmationWaitsTest, AnEarlyAcceptanceNeverShortensTheWait) {
  ConfirmationWaits waits(1000ms);
  const auto seq = waits.Open(Failure("a", 1000), kSent);
  ASSERT_TRUE(seq);
  EXPECT_TRUE(waits.Accept(*seq, kSent - 500ms));
  EXPECT_TRUE(waits.Expire(kSent + 1999ms).empty());
  EXPECT_EQ(waits.Expire(kSent + 2000ms).size(), 1u);
}

TEST(ConfirmationWaitsTest, OneWaitPerCheckUntilItCloses) {
  ConfirmationWaits waits(1000ms);
  const auto first = waits.Open(Failure("a", 1000), kSent);
  ASSERT_TRUE(first);
  EXPECT_FALSE(waits.Open(Failure("a", 1000), kSent + 100ms));
  const auto other = waits.Open(Failure("b", 5000), kSent + 100ms);
  ASSERT_TRUE(other);
  EXPECT_NE(*first, *other);
  ASSERT_TRUE(waits.Close(*first, ConfirmationVerdict::kConfirmed));
  EXPECT_TRUE(waits.Open(Failure("a", 1000), kSent + 200ms));
  EXPECT_FALSE(waits.Accept(*first, kSent + 300ms)) << "closed";
  // Each by its own timeout: a's new wait ends at 2.2 s, b's at 6.1 s.
  const auto expired = waits.Expire(kSent + 2200ms);
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].request.record.check_id, "a");
  EXPECT_EQ(waits.size(), 1u);
}

// Every other worker was impaired for a moment (its canaries slow on a loaded machine): the
// request is asked again while the wait lasts, not committed unconfirmed at once.
TEST(ConfirmationWaitsTest, UnprobedRequestIsAskedAgainWhileTheWaitLasts) {
  ConfirmationWaits waits(1000ms);
  const auto seq = waits.Open(Failure("a", 1000), kSent);
  ASSERT_TRUE(seq);
  EXPECT_TRUE(waits.AskAgainLater(*seq, kSent + 100ms, 200ms));
  EXPECT_TRUE(waits.DueAgain(kSent + 299ms).empty());
  const auto due = waits.DueAgain(kSent + 300ms);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].first, *seq);
  EXPECT_EQ(due[0].second.check_id, "a");
  EXPECT_TRUE(waits.DueAgain(kSent + 400ms).empty()) << "once per AskAgainLater";
  // Not beyond the wait: at 1.9 s another 200 ms would pass the 2 s deadline.
  EXPECT_FALSE(waits.AskAgainLater(*seq, kSent + 1900ms, 200ms));
  EXPECT_FALSE(waits.AskAgainLater(*seq + 1, kSent + 100ms, 200ms)) << "no such wait";
  EXPECT_EQ(waits.Expire(kSent + 2000ms).size(), 1u);
}

}  // namespace
}  // namespace lokahi::healthworker
